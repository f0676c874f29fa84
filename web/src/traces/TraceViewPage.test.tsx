import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { App } from "../shell/App";
import { checkoutTrace, envelope, openUrl, STACK, stubFetch, T0 } from "../test/fixtures";

beforeEach(() => {
  stubFetch({
    "/api/traces/t1": [200, envelope([checkoutTrace()])],
    "/api/traces/nope": [404, { data: null, errors: [{ code: 404, msg: "trace not found" }] }],
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const rowOutline = () =>
  screen.getAllByTestId("span-row").map((row) => `${row.dataset.depth}:${row.dataset.spanName}${row.dataset.error === "true" ? "!" : ""}`);

it("draws the waterfall with nesting, errors and the trace header", async () => {
  openUrl("/traces/t1");
  render(<App />);
  await screen.findAllByTestId("span-row");
  expect(rowOutline()).toEqual(["0:GET /checkout", "1:create order", "2:charge card!", "0:orphan work"]);
  expect(screen.getAllByTestId("span-error-marker")).toHaveLength(1);
  expect(screen.getByTestId("trace-span-count").textContent).toContain("4");
  expect(screen.getByTestId("trace-error-count").textContent).toContain("1");
});

it("collapses a subtree and remembers it in the URL", async () => {
  openUrl("/traces/t1");
  render(<App />);
  const [rootToggle] = await screen.findAllByTestId("span-toggle");
  fireEvent.click(rootToggle);
  expect(rowOutline()).toEqual(["0:GET /checkout", "0:orphan work"]);
  expect(window.location.search).toBe("?toggled=a1");
  fireEvent.click(screen.getByTestId("expand-all"));
  expect(rowOutline()).toHaveLength(4);
  fireEvent.click(screen.getByTestId("collapse-all"));
  expect(window.location.search).toBe("?collapse=all");
});

it("opens the span detail with status, resource and the exception's stack", async () => {
  openUrl("/traces/t1");
  render(<App />);
  const rows = await screen.findAllByTestId("span-row");
  fireEvent.click(rows[2]);
  const detail = screen.getByTestId("span-detail");
  expect(window.location.search).toBe("?span=c1");
  expect(within(detail).getByTestId("span-status").textContent).toBe("ERROR: card declined");
  expect(within(detail).getByTestId("exception-type").textContent).toBe("ValueError");
  expect(within(detail).getByTestId("exception-message").textContent).toBe("card declined");
  expect(within(detail).getByTestId("exception-stacktrace").textContent).toBe(STACK);
  fireEvent.click(within(detail).getByText("b1"));
  expect(window.location.search).toBe("?span=b1");
});

it("links to the trace's logs with its time range", async () => {
  openUrl("/traces/t1");
  render(<App />);
  const link = await screen.findByTestId("logs-link");
  const url = new URL(link.getAttribute("href") as string, "http://x");
  expect(url.pathname).toBe("/logs");
  expect(url.searchParams.get("traceId")).toBe("t1");
  expect(Number(url.searchParams.get("from"))).toBeLessThan(T0 / 1000);
  expect(Number(url.searchParams.get("to"))).toBeGreaterThan((T0 + 120_000) / 1000);
  fireEvent.click(link);
  expect((await screen.findByTestId("logs-trace-id")).textContent).toBe("t1");
});

it("shows the API's error for an unknown trace", async () => {
  openUrl("/traces/nope");
  render(<App />);
  expect((await screen.findByTestId("error-banner")).textContent).toContain("trace not found");
});
