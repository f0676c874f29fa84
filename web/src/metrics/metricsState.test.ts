import { expect, it } from "vitest";
import { metricsHref, queryLetter, readMetricsState, resolveStep } from "./metricsState";

it("reads queries A, B… from repeated q parameters", () => {
  expect(readMetricsState(new URLSearchParams(""))).toEqual({ queries: [""], tab: "graph", step: "" });
  const state = readMetricsState(new URLSearchParams("q=up&q=rate(x%5B5m%5D)&tab=table&step=30s"));
  expect(state).toEqual({ queries: ["up", "rate(x[5m])"], tab: "table", step: "30s" });
  expect(metricsHref(state, { from: "now-6h", to: "now" })).toBe("/explore?from=now-6h&to=now&tab=table&step=30s&q=up&q=rate%28x%5B5m%5D%29");
  expect(metricsHref({ queries: ["", " up "], tab: "graph", step: "" }, {})).toBe("/explore?q=up");
  expect([0, 1, 25].map(queryLetter)).toEqual(["A", "B", "Z"]);
});

it("uses the typed step or the automatic one", () => {
  expect(resolveStep("", 15)).toEqual({ step: 15, problem: null });
  expect(resolveStep("1m", 15)).toEqual({ step: 60, problem: null });
  expect(resolveStep("soon", 15)).toEqual({ step: 15, problem: expect.stringContaining("invalid step 'soon'") });
});
