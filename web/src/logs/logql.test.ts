import { describe, expect, it } from "vitest";
import { type SimpleQuery, compileSimple, EMPTY_SIMPLE, isMetricQuery, parseFields, quote, splitWords, streamSelector, traceQuery, volumeQuery } from "./logql";

describe("compileSimple", () => {
  it.each([
    [{}, '{service_name=~".+"}'],
    [{ service: "checkout" }, '{service_name="checkout"}'],
    [{ words: "timeout" }, '{service_name=~".+"} |= "timeout"'],
    [{ words: 'timeout "connection reset" -healthcheck' }, '{service_name=~".+"} |= "timeout" |= "connection reset" != "healthcheck"'],
    [{ words: 'say "a \\"quoted\\" word"' }, '{service_name=~".+"} |= "say" |= "a \\"quoted\\" word"'],
    [{ service: "api", parser: "json", fields: "status>=500" }, '{service_name="api"} | json | status >= 500'],
    [{ fields: 'http.method=GET path=~"/api/.*" user!=bot' }, '{service_name=~".+"} | http_method="GET" | path=~"/api/.*" | user!="bot"'],
    [{ fields: "duration>250ms" }, '{service_name=~".+"} | duration > 250ms'],
    [{ levels: ["warn", "error"] }, '{service_name=~".+"} | severity_text=~"(?i)(eror|err|error|severe|warn|warning|wrn)[0-9]*"'],
    [
      { service: "pay", words: "card", parser: "logfmt", fields: "amount>10", levels: ["error"] },
      '{service_name="pay"} |= "card" | logfmt | amount > 10 | severity_text=~"(?i)(eror|err|error|severe)[0-9]*"',
    ],
  ] as [Partial<SimpleQuery>, string][])("%j → %s", (changes, logql) => {
    expect(compileSimple({ ...EMPTY_SIMPLE, ...changes })).toBe(logql);
  });

  it("names what it cannot read in the fields", () => {
    expect(() => compileSimple({ ...EMPTY_SIMPLE, fields: "status=500 oops" })).toThrow("fields: expected name=value, name!=value, name=~regex or name>number at 'oops'");
    expect(() => parseFields("status>high")).toThrow("fields: status> needs a number, duration or size, not 'high'");
  });
});

it.each([
  ["plain", '"plain"'],
  ['say "hi"', '"say \\"hi\\""'],
  ["C:\\path", '"C:\\\\path"'],
])("quotes %s", (text, quoted) => {
  expect(quote(text)).toBe(quoted);
});

it("splits words and phrases", () => {
  expect(splitWords('  a  "b c" -d -"e f" - ')).toEqual(["a", "b c", "-d", "-e f"]);
});

it("writes a stream selector in label order", () => {
  expect(streamSelector({ service_name: "api", host: 'h"1' })).toBe('{host="h\\"1", service_name="api"}');
});

it("finds a trace's lines by metadata or by text", () => {
  const id = "4BF92F3577B34DA6A3CE929D0E0E4736";
  expect(traceQuery(id, "metadata")).toBe('{service_name=~".+"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"');
  expect(traceQuery(id, "text")).toBe('{service_name=~".+"} |= "4bf92f3577b34da6a3ce929d0e0e4736"');
});

it.each([
  ['{a="b"} |= "x"', false],
  ['  {a="b"}', false],
  ['rate({a="b"}[1m])', true],
  ['sum by (level) (count_over_time({a="b"}[5m]))', true],
  ["", false],
])("%s is a metric query: %s", (query, metric) => {
  expect(isMetricQuery(query)).toBe(metric);
});

it("counts lines per level for the histogram", () => {
  expect(volumeQuery('{a="b"} |= "x" ', 60)).toBe('sum by (detected_level, level) (count_over_time({a="b"} |= "x" [60s]))');
});
