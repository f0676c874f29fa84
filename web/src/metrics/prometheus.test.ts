import { expect, it } from "vitest";
import { alignSeries, exemplarsFromData, formatValue, labelNamesUrl, labelValuesUrl, rangeQueryUrl, seriesFromData, seriesName } from "./prometheus";

it("names series as Prometheus writes them", () => {
  expect(seriesName({ __name__: "up", job: "api", instance: "a:1" })).toBe('up{instance="a:1", job="api"}');
  expect(seriesName({ __name__: "up" })).toBe("up");
  expect(seriesName({ job: "x" })).toBe('{job="x"}');
  expect(seriesName({})).toBe("{}");
});

it("turns a matrix into series, leaving out values that are not finite", () => {
  const series = seriesFromData(
    { resultType: "matrix", result: [{ metric: { __name__: "m", a: "1" }, values: [[10, "1.5"], [20, "NaN"], [30, "+Inf"], [40, "2"]] }] },
    "A",
  );
  expect(series).toEqual([{ key: 'A: m{a="1"}', name: 'A: m{a="1"}', labels: { __name__: "m", a: "1" }, points: [[10, 1.5], [40, 2]] }]);
  expect(seriesFromData({ resultType: "scalar", result: [5, "3"] })).toEqual([{ key: "scalar", name: "scalar", labels: {}, points: [[5, 3]] }]);
  expect(seriesFromData({ resultType: "vector", result: [{ metric: {}, value: [5, "7"] }] })[0].points).toEqual([[5, 7]]);
});

it("aligns series on one time axis with gaps as null", () => {
  const a = { key: "a", name: "a", labels: {}, points: [[10, 1], [20, 2]] as [number, number][] };
  const b = { key: "b", name: "b", labels: {}, points: [[20, 5], [30, 6]] as [number, number][] };
  expect(alignSeries([a, b])).toEqual({ xs: [10, 20, 30], ys: [[1, 2, null], [null, 5, 6]] });
});

it("reads exemplars and their trace ids", () => {
  const exemplars = exemplarsFromData([
    {
      seriesLabels: { __name__: "latency_bucket", le: "0.5" },
      exemplars: [
        { labels: { trace_id: "abc" }, value: "0.31", timestamp: 1600096945.479 },
        { labels: { traceID: "def" }, value: "NaN", timestamp: 1600096946 },
        { labels: {}, value: "0.2", timestamp: 1600096947 },
      ],
    },
  ]);
  expect(exemplars).toEqual([
    { t: 1600096945.479, value: 0.31, traceId: "abc", labels: { trace_id: "abc" }, series: 'latency_bucket{le="0.5"}' },
    { t: 1600096947, value: 0.2, traceId: null, labels: {}, series: 'latency_bucket{le="0.5"}' },
  ]);
  expect(exemplarsFromData(null)).toEqual([]);
});

it.each([[0, "0"], [0.000123456, "0.0001235"], [1234, "1.234k"], [2.5e9, "2.5G"], [-1500, "-1.5k"], [Infinity, "+Inf"], [NaN, "NaN"], [null, "NaN"]])(
  "formats %s as %s",
  (value, text) => {
    expect(formatValue(value)).toBe(text);
  },
);

it("writes API addresses", () => {
  expect(rangeQueryUrl("up", 1, 2, 15)).toBe("/api/v1/query_range?query=up&start=1&end=2&step=15");
  expect(labelNamesUrl("")).toBe("/api/v1/labels");
  expect(labelNamesUrl("up")).toBe("/api/v1/labels?match%5B%5D=up");
  expect(labelValuesUrl("job", "")).toBe("/api/v1/label/job/values");
  expect(labelValuesUrl("job", "up")).toBe("/api/v1/label/job/values?match%5B%5D=up");
});
