import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import { App } from "../shell/App";
import { openUrl, stubFetchBy } from "../test/fixtures";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const T = 1_700_000_000; // s

function stubProm() {
  return stubFetchBy((url) => {
    const query = url.searchParams.get("query");
    if (url.pathname === "/api/v1/label/__name__/values") return [200, { status: "success", data: ["http_requests_total", "up"] }];
    if (url.pathname === "/api/v1/labels") return [200, { status: "success", data: ["__name__", "job"] }];
    if (url.pathname === "/api/v1/label/job/values") return [200, { status: "success", data: ["api", "web"] }];
    if (url.pathname === "/api/v1/query" && query === "up") {
      return [200, { status: "success", data: { resultType: "vector", result: [{ metric: { __name__: "up", job: "api" }, value: [T, "1"] }, { metric: { __name__: "up", job: "web" }, value: [T, "0"] }] } }];
    }
    if (url.pathname === "/api/v1/query" && query === "time()") return [200, { status: "success", data: { resultType: "scalar", result: [T, "1700000000"] } }];
    if (url.pathname.startsWith("/api/v1/query")) {
      return [400, { status: "error", errorType: "bad_data", error: 'invalid parameter "query": 1:6: parse error: unexpected end of input' }];
    }
    return undefined;
  });
}

it("shows an instant query as a table, one table per query", async () => {
  const calls = stubProm();
  openUrl(`/metrics?q=up&q=time()&tab=table&from=${(T - 3600) * 1000}&to=${T * 1000}`);
  render(<App />);
  const tables = await screen.findAllByTestId("instant-table");
  expect(tables).toHaveLength(2);
  const rows = within(tables[0]).getAllByTestId("instant-row").map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent));
  expect(rows).toEqual([['up{job="api"}', "1"], ['up{job="web"}', "0"]]);
  expect(within(tables[1]).getByTestId("instant-row").textContent).toBe("scalar1700000000");
  const instant = calls.map((c) => new URL(c, "http://x")).filter((u) => u.pathname === "/api/v1/query");
  expect(instant.map((u) => u.searchParams.get("time"))).toEqual([String(T), String(T)]);
});

it("shows the API's error type and words for a bad query", async () => {
  stubProm();
  openUrl("/metrics?q=rate(");
  render(<App />);
  const banner = await screen.findByTestId("error-banner");
  expect(banner.textContent).toBe('Query A: bad_data: invalid parameter "query": 1:6: parse error: unexpected end of input');
});

it("writes queries, tab and step into the URL", async () => {
  stubProm();
  openUrl("/metrics?from=now-6h&to=now");
  render(<App />);
  const first = (await screen.findByTestId("promql-input-0")) as HTMLTextAreaElement;
  fireEvent.change(first, { target: { value: "up", selectionStart: 2 } });
  fireEvent.click(screen.getByTestId("add-query"));
  fireEvent.change(screen.getByTestId("promql-input-1"), { target: { value: "time()", selectionStart: 6 } });
  fireEvent.change(screen.getByTestId("step-input"), { target: { value: "30s" } });
  fireEvent.click(screen.getByTestId("metrics-run"));
  const params = new URLSearchParams(window.location.search);
  expect(params.getAll("q")).toEqual(["up", "time()"]);
  expect(params.get("step")).toBe("30s");
  expect(params.get("from")).toBe("now-6h");
  fireEvent.click(screen.getByTestId("tab-table"));
  expect(new URLSearchParams(window.location.search).get("tab")).toBe("table");
  expect(await screen.findAllByTestId("instant-table")).toHaveLength(2);
});

it("completes metric names, and labels and values of the metric", async () => {
  const calls = stubProm();
  openUrl("/metrics");
  render(<App />);
  const area = (await screen.findByTestId("promql-input-0")) as HTMLTextAreaElement;
  fireEvent.change(area, { target: { value: "rate(http", selectionStart: 9 } });
  expect((await screen.findAllByTestId("suggestion")).map((o) => o.textContent)).toEqual(["http_requests_total"]);
  fireEvent.keyDown(area, { key: "Enter" });
  expect(area.value).toBe("rate(http_requests_total");
  fireEvent.change(area, { target: { value: 'up{job="', selectionStart: 8 } });
  expect((await screen.findAllByTestId("suggestion")).map((o) => o.textContent)).toEqual(["api", "web"]);
  expect(calls).toContain("/api/v1/label/job/values?match%5B%5D=up");
});

it("refuses a step it cannot read", async () => {
  stubProm();
  openUrl("/metrics?q=up&step=fast");
  render(<App />);
  expect((await screen.findByTestId("error-banner")).textContent).toMatch(/^Step: invalid step 'fast'/);
});
