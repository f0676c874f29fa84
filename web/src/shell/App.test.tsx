import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import { envelope, openUrl, stubFetch } from "../test/fixtures";
import { App } from "./App";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it("sends / to the traces page and keeps the time range across sections", async () => {
  stubFetch({ "/api/services": [200, envelope([])] });
  openUrl("/?from=now-6h&to=now");
  render(<App />);
  await screen.findByTestId("trace-search-form");
  expect(window.location.pathname).toBe("/traces");
  const metrics = screen.getByRole("link", { name: "Metrics" });
  expect(metrics.getAttribute("href")).toBe("/explore?from=now-6h&to=now");
  fireEvent.click(metrics);
  expect(await screen.findByTestId("page-metrics")).toBeTruthy();
  expect(screen.getByTestId("time-range-button").textContent).toContain("Last 6 hours");
});

it("changes the range and auto-refresh through the URL", async () => {
  openUrl("/services");
  render(<App />);
  await screen.findByTestId("page-services");
  fireEvent.click(screen.getByTestId("time-range-button"));
  fireEvent.click(screen.getByText("Last 15 minutes"));
  expect(window.location.search).toBe("?from=now-15m&to=now");
  fireEvent.change(screen.getByTestId("refresh-select"), { target: { value: "30s" } });
  expect(window.location.search).toBe("?from=now-15m&to=now&refresh=30s");
});

it("applies a custom absolute range", async () => {
  openUrl("/services");
  render(<App />);
  await screen.findByTestId("page-services");
  fireEvent.click(screen.getByTestId("time-range-button"));
  fireEvent.change(screen.getByTestId("range-from"), { target: { value: "2024-01-02T03:04" } });
  fireEvent.change(screen.getByTestId("range-to"), { target: { value: "2024-01-02T05:04" } });
  fireEvent.click(screen.getByText("Apply range"));
  const params = new URLSearchParams(window.location.search);
  expect(Number(params.get("to")) - Number(params.get("from"))).toBe(2 * 3600 * 1000);
  expect(params.get("from")).toBe(String(new Date("2024-01-02T03:04").getTime()));
});

it("says when a page does not exist", async () => {
  openUrl("/nowhere");
  render(<App />);
  expect((await screen.findByTestId("error-banner")).textContent).toBe("Not found: no page at /nowhere");
});

it("opens a trace by id from the header", async () => {
  stubFetch({ "/api/traces/abc123": [404, { data: null, errors: [{ code: 404, msg: "trace not found" }] }] });
  openUrl("/services?from=now-5m&to=now");
  render(<App />);
  const input = await screen.findByTestId("trace-id-lookup");
  fireEvent.change(input, { target: { value: " abc123 " } });
  fireEvent.submit(input);
  expect(window.location.pathname + window.location.search).toBe("/traces/abc123?from=now-5m&to=now");
  expect((await screen.findByTestId("error-banner")).textContent).toContain("trace not found");
});

it("moves an in-app link to /metrics to the explorer, keeping its query", async () => {
  stubFetch({ "/api/v1/query_range": [200, { status: "success", data: { resultType: "matrix", result: [] } }] });
  openUrl("/metrics?q=up&from=now-5m&to=now");
  render(<App />);
  expect(await screen.findByTestId("page-metrics")).toBeTruthy();
  expect(window.location.pathname + window.location.search).toBe("/explore?q=up&from=now-5m&to=now");
});
