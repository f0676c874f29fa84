import { describe, expect, it } from "vitest";
import { applyCompletion, completionContext, filterSuggestions, type CompletionContext } from "./completion";

/** The last `|` in a case marks the cursor (LogQL has pipes of its own before it). */
const withCursor = (text: string) => {
  const cursor = text.lastIndexOf("|");
  return { clean: text.slice(0, cursor) + text.slice(cursor + 1), cursor };
};

const at = (text: string, language: "logql" | "promql" = "logql") => {
  const { clean, cursor } = withCursor(text);
  return completionContext(clean, cursor, language);
};

describe("completionContext", () => {
  it.each([
    ["{|", { kind: "label", prefix: "", from: 1, to: 1 }],
    ["{serv|", { kind: "label", prefix: "serv", from: 1, to: 5 }],
    ['{a="x", ho|}', { kind: "label", prefix: "ho", from: 8, to: 10 }],
    ["{ser|vice", { kind: "label", prefix: "ser", from: 1, to: 8 }],
    ['{service_name="|"}', { kind: "value", label: "service_name", prefix: "", from: 15, to: 15, quoted: true }],
    ['{service_name=~"ch|"}', { kind: "value", label: "service_name", prefix: "ch", from: 16, to: 18, quoted: true }],
    ["{level!=|", { kind: "value", label: "level", prefix: "", from: 8, to: 8, quoted: false }],
    ['{a="1"} |= "x|"', null],
    ['{a="1"} | json|', null],
    ['{a="1"} | tra|', { kind: "field", prefix: "tra", from: 10, to: 13 }],
    ['{a="1"} |= "x" | json | |', { kind: "field", prefix: "" }],
    ['{a="1"} ||', { kind: "field", prefix: "" }],
    ["| x|", null],
    ['sum by (lev|) (count_over_time({a="1"}[1m]))', { kind: "label", prefix: "lev", from: 8, to: 11 }],
    ['{a="}{|', { kind: "value", label: "a", prefix: "}{", quoted: true }],
  ])("LogQL %s", (text, context) => {
    const found = at(text);
    if (context === null) expect(found).toBeNull();
    else expect(found).toMatchObject(context);
  });

  it.each([
    ["rate(http_req|", { kind: "metric", prefix: "http_req", from: 5, to: 13 }],
    ["http_requests_total{|", { kind: "label", prefix: "", metric: "http_requests_total" }],
    ['up{job="|"}', { kind: "value", label: "job", metric: "up", quoted: true }],
    ["sum by (jo|)", { kind: "label", prefix: "jo", from: 8, to: 10, metric: "" }],
    ["sum without (a, |) (x)", { kind: "label", prefix: "", from: 16, to: 16 }],
    ["a / on(|) b", { kind: "label", prefix: "" }],
    ["rate(x[5|", null],
    ["x offset|", null],
    ["1.5e|", null],
    ['label_replace(up, "ds|"', null],
  ])("PromQL %s", (text, context) => {
    const found = at(text, "promql");
    if (context === null) expect(found).toBeNull();
    else expect(found).toMatchObject(context);
  });
});

describe("applyCompletion", () => {
  const apply = (text: string, value: string, language: "logql" | "promql" = "logql") => {
    const { clean, cursor } = withCursor(text);
    const result = applyCompletion(clean, completionContext(clean, cursor, language) as CompletionContext, value);
    return result.text.slice(0, result.cursor) + "|" + result.text.slice(result.cursor);
  };

  it.each([
    ["{ser|", "service_name", "{service_name|"],
    ["{ser|vice}", "service_name", "{service_name|}"],
    ['{service_name="ch|"}', "checkout", '{service_name="checkout"|}'],
    ['{service_name="ch|', "checkout", '{service_name="checkout"|'],
    ["{level=|", "warn", '{level="warn"|'],
    ['{path="|"}', 'a"b\\c', '{path="a\\"b\\\\c"|}'],
  ])("LogQL %s + %s", (text, value, result) => {
    expect(apply(text, value)).toBe(result);
  });

  it("completes a metric name in place", () => {
    expect(apply("rate(http_re|[5m])", "http_requests_total", "promql")).toBe("rate(http_requests_total|[5m])");
  });
});

it("lists names starting with the prefix before names containing it", () => {
  expect(filterSuggestions(["b_total", "a_total", "total_x", "other"], "tot")).toEqual(["total_x", "a_total", "b_total"]);
  expect(filterSuggestions(["x", "y"], "")).toEqual(["x", "y"]);
  expect(filterSuggestions(["job"], "job")).toEqual([]);
});
