import { expect, it } from "vitest";
import { buildHref } from "../lib/router";
import { hasSearch, queryParams, queryProblems, readQuery, searchUrl, EMPTY_QUERY } from "./searchQuery";

it("has no search until the form has written one", () => {
  expect(hasSearch(new URLSearchParams("from=now-5m"))).toBe(false);
  expect(hasSearch(new URLSearchParams("limit=20"))).toBe(true);
});

it("survives the round trip through the URL", () => {
  const query = { service: "gateway", operation: "GET /a", tags: "error=true", minDuration: "100ms", maxDuration: "2s", status: "error" as const, limit: 50 };
  const url = new URL(buildHref("/traces", queryParams(query)), "http://x");
  expect(readQuery(url.searchParams)).toEqual(query);
});

it("reads unknown status and bad limits as defaults", () => {
  expect(readQuery(new URLSearchParams("status=weird&limit=-3"))).toEqual(EMPTY_QUERY);
});

it("names every problem by field", () => {
  const problems = queryProblems({ ...EMPTY_QUERY, tags: "oops", minDuration: "x", limit: 0 });
  expect(problems).toEqual([
    "attributes: expected key=value at 'oops'",
    "minDuration: invalid duration 'x': expected a number and a unit (ns, us, ms, s, m, h) at 'x'",
    "limit: must be a whole number from 1 to 1500",
  ]);
});

it("sends attributes as JSON with the range in microseconds", () => {
  const url = searchUrl({ ...EMPTY_QUERY, service: "gateway", tags: "http.status_code=500", status: "error" }, { startUs: 1000, endUs: 2000 });
  const params = new URL(url, "http://x").searchParams;
  expect(url.startsWith("/api/ms/traces/search?")).toBe(true);
  expect(Object.fromEntries(params)).toEqual({
    service: "gateway",
    tags: '{"http.status_code":"500"}',
    status: "error",
    start: "1000",
    end: "2000",
    limit: "20",
  });
});
