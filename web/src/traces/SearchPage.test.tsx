import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import { App } from "../shell/App";
import { envelope, openUrl, stubFetch, SUMMARIES } from "../test/fixtures";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function stubSearch(reply: [number, unknown] = [200, envelope(SUMMARIES)]) {
  return stubFetch({
    "/api/services": [200, envelope(["orders", "gateway"])],
    "/api/services/gateway/operations": [200, envelope(["GET /checkout"])],
    "/api/ms/traces/search": reply,
  });
}

it("asks for a search before running one", async () => {
  const calls = stubSearch();
  openUrl("/traces");
  render(<App />);
  expect(await screen.findByText(/Choose a service/)).toBeTruthy();
  expect(calls.some((url) => url.startsWith("/api/ms/"))).toBe(false);
});

it("runs the search in the URL and lists traces with errors and bars", async () => {
  const calls = stubSearch();
  openUrl("/traces?service=gateway&status=error&limit=20&from=1000&to=2000");
  render(<App />);
  const rows = await screen.findAllByTestId("trace-row");
  expect(rows.map((row) => row.dataset.traceId)).toEqual(["t1", "t2"]);
  expect(rows[0].getAttribute("href")).toBe("/traces/t1?from=1000&to=2000");
  expect(screen.getAllByTestId("trace-error-count")).toHaveLength(1);
  const bars = rows.map((row) => (row.querySelector(".duration-bar") as HTMLElement).style.width);
  expect(bars).toEqual(["100%", "25%"]);
  const search = new URL(calls.find((url) => url.startsWith("/api/ms/")) as string, "http://x").searchParams;
  expect(Object.fromEntries(search)).toMatchObject({ service: "gateway", status: "error", start: "1000000", end: "2000000" });
});

it("writes the form into the URL", async () => {
  stubSearch();
  openUrl("/traces");
  render(<App />);
  await screen.findByRole("option", { name: "gateway" });
  fireEvent.change(screen.getByTestId("search-service"), { target: { value: "gateway" } });
  await screen.findByRole("option", { name: "GET /checkout" });
  fireEvent.change(screen.getByTestId("search-operation"), { target: { value: "GET /checkout" } });
  fireEvent.change(screen.getByTestId("search-tags"), { target: { value: "error=true" } });
  fireEvent.change(screen.getByTestId("search-min-duration"), { target: { value: "100ms" } });
  fireEvent.click(screen.getByTestId("search-submit"));
  expect(Object.fromEntries(new URLSearchParams(window.location.search))).toEqual({
    service: "gateway",
    operation: "GET /checkout",
    tags: "error=true",
    minDuration: "100ms",
    limit: "20",
  });
  expect(await screen.findAllByTestId("trace-row")).toHaveLength(2);
});

it("stops a bad duration before it reaches the server", async () => {
  stubSearch();
  openUrl("/traces");
  render(<App />);
  fireEvent.change(screen.getByTestId("search-max-duration"), { target: { value: "soon" } });
  fireEvent.click(screen.getByTestId("search-submit"));
  expect((await screen.findByRole("alert")).textContent).toMatch(/^maxDuration: invalid duration 'soon'/);
  expect(window.location.search).toBe("");
});

it("shows the server's words when it rejects a search", async () => {
  stubSearch([400, { data: null, errors: [{ code: 400, msg: "service 'x' is unknown" }] }]);
  openUrl("/traces?service=x&limit=20");
  render(<App />);
  const message = await screen.findByText("service 'x' is unknown");
  expect(message.closest("[data-testid=error-banner]")?.textContent).toBe("Search failed: service 'x' is unknown");
});
