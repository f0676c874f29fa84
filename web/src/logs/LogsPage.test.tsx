import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import { App } from "../shell/App";
import { openUrl, stubFetchBy } from "../test/fixtures";
import type { LokiStream } from "./loki";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const T = 1_700_000_000_000; // ms

const STREAMS: LokiStream[] = [
  {
    stream: { service_name: "checkout", host_name: "h1" },
    values: [
      [`${T + 2000}000000`, `level=error msg="card declined" trace_id=${ID}`],
      [`${T + 1000}000000`, "level=info msg=started", { user: "u1" }],
    ],
  },
  { stream: { service_name: "web" }, values: [[`${T + 1500}000000`, "GET / 200", { trace_id: ID, detected_level: "warn" }]] },
];

const success = (data: unknown) => [200, { status: "success", data }] as [number, unknown];

function stubLoki(streams: LokiStream[] = STREAMS, rangeReply?: [number, unknown], stored: unknown[] = []) {
  return stubFetchBy((url) => {
    if (url.pathname === "/api/ms/sql") return [200, { data: stored, rows: stored.length }];
    const query = url.searchParams.get("query") ?? "";
    if (url.pathname === "/loki/api/v1/labels") return success(["host_name", "service_name"]);
    if (url.pathname === "/loki/api/v1/label/service_name/values") return success(["checkout", "web"]);
    if (url.pathname !== "/loki/api/v1/query_range") return undefined;
    if (query.startsWith("sum by")) {
      return success({ resultType: "matrix", result: [{ metric: { level: "error" }, values: [[T / 1000 + 60, "3"]] }] });
    }
    return rangeReply ?? success({ resultType: "streams", result: streams, stats: {} });
  });
}

const rangeCalls = (calls: string[]) =>
  calls.map((c) => new URL(c, "http://x")).filter((u) => u.pathname === "/loki/api/v1/query_range" && !u.searchParams.get("query")?.startsWith("sum by"));

it("shows the lines of a query with levels, services and trace links", async () => {
  const calls = stubLoki();
  openUrl(`/logs?mode=logql&query=${encodeURIComponent('{service_name=~".+"}')}&from=${T - 3600_000}&to=${T + 60_000}`);
  render(<App />);
  const rows = await screen.findAllByTestId("log-row");
  expect(rows.map((r) => r.dataset.level)).toEqual(["error", "warn", "info"]);
  expect(rows[0].querySelector(".log-service")?.textContent).toBe("checkout");
  const links = screen.getAllByTestId("log-trace-link");
  expect(links.map((a) => a.getAttribute("href"))).toEqual([
    `/traces/${ID}?from=${T - 3600_000}&to=${T + 60_000}`,
    `/traces/${ID}?from=${T - 3600_000}&to=${T + 60_000}`,
  ]);
  expect(links[0].textContent).toBe(ID);
  expect(links[1].textContent).toBe("trace");
  const request = rangeCalls(calls)[0].searchParams;
  expect(Object.fromEntries(request)).toEqual({
    query: '{service_name=~".+"}',
    start: `${T - 3600_000}000000`,
    end: `${T + 60_000}000000`,
    limit: "1000",
    direction: "backward",
  });
  expect(screen.getByTestId("logs-summary").textContent).toBe("3 lines");
  expect(await screen.findAllByTestId("volume-bar")).toHaveLength(1);
});

it("expands a line into its labels and fields, kept in the URL", async () => {
  stubLoki();
  openUrl(`/logs?mode=logql&query=${encodeURIComponent("{a=\"b\"}")}`);
  render(<App />);
  const rows = await screen.findAllByTestId("log-row");
  fireEvent.click(rows[2].querySelector(".log-summary") as Element);
  const detail = await screen.findByTestId("log-detail");
  const fields = within(detail).getAllByTestId("log-field").map((row) => row.dataset.field);
  expect(fields).toEqual(["host_name", "service_name", "user"]);
  expect(new URLSearchParams(window.location.search).get("line")).toBe(rows[2].dataset.lineId);
  expect(within(detail).getAllByTestId("copy-field")).toHaveLength(3);
  expect(screen.getByTestId("copy-line")).toBeTruthy();
});

it("compiles the simple mode to LogQL and runs it from the URL", async () => {
  const calls = stubLoki();
  openUrl("/logs");
  render(<App />);
  await screen.findByRole("option", { name: "checkout" });
  fireEvent.change(screen.getByTestId("logs-service"), { target: { value: "checkout" } });
  fireEvent.change(screen.getByTestId("logs-words"), { target: { value: "declined -retry" } });
  fireEvent.change(screen.getByTestId("logs-fields"), { target: { value: "status>=500" } });
  fireEvent.change(screen.getByTestId("logs-parser"), { target: { value: "logfmt" } });
  fireEvent.click(screen.getByTestId("level-error"));
  const compiled = '{service_name="checkout"} |= "declined" != "retry" | logfmt | status >= 500 | severity_text=~"(?i)(eror|err|error|severe)[0-9]*"';
  expect(screen.getByTestId("compiled-logql").textContent).toBe(compiled);
  fireEvent.click(screen.getByTestId("logs-run"));
  expect(Object.fromEntries(new URLSearchParams(window.location.search))).toEqual({
    service: "checkout", level: "error", words: "declined -retry", fields: "status>=500", parser: "logfmt",
  });
  await screen.findAllByTestId("log-row");
  expect(rangeCalls(calls).at(-1)?.searchParams.get("query")).toBe(compiled);

  fireEvent.click(screen.getByTestId("edit-logql"));
  expect((screen.getByTestId("logql-input") as HTMLTextAreaElement).value).toBe(compiled);
});

it("stops unreadable field filters before they reach the server", async () => {
  const calls = stubLoki();
  openUrl("/logs?fields=oops");
  render(<App />);
  expect((await screen.findByTestId("error-banner")).textContent).toMatch(/^Cannot search: fields: expected name=value/);
  expect(rangeCalls(calls)).toHaveLength(0);
});

it("finds a trace's lines when the trace view links here", async () => {
  const calls = stubLoki();
  openUrl(`/logs?traceId=${ID}&from=${T - 1000}&to=${T + 5000}`);
  render(<App />);
  expect((await screen.findByTestId("logs-trace-id")).textContent).toBe(ID);
  await screen.findAllByTestId("log-row");
  expect(rangeCalls(calls)[0].searchParams.get("query")).toBe(`{service_name=~".+"} | trace_id="${ID}"`);
  expect((screen.getByTestId("logql-input") as HTMLTextAreaElement).value).toBe(`{service_name=~".+"} | trace_id="${ID}"`);
  fireEvent.change(screen.getByTestId("trace-match"), { target: { value: "text" } });
  await vi.waitFor(() => expect(rangeCalls(calls).at(-1)?.searchParams.get("query")).toBe(`{service_name=~".+"} |= "${ID}"`));
  expect(new URLSearchParams(window.location.search).get("traceMatch")).toBe("text");
});

it("shows Loki's words when it rejects a query", async () => {
  stubLoki(STREAMS, [400, "parse error at line 1, col 9: syntax error: unexpected IDENTIFIER"]);
  openUrl(`/logs?mode=logql&query=${encodeURIComponent("{a=\"b\"} oops")}`);
  render(<App />);
  const banners = await screen.findAllByTestId("error-banner");
  expect(banners.map((b) => b.textContent)).toContain("Query failed: parse error at line 1, col 9: syntax error: unexpected IDENTIFIER");
});

it("opens the context of a line: its stream's lines before and after", async () => {
  const calls = stubLoki();
  openUrl(`/logs?mode=logql&query=${encodeURIComponent("{a=\"b\"}")}`);
  render(<App />);
  const rows = await screen.findAllByTestId("log-row");
  fireEvent.click(within(rows[0]).getByTestId("show-context"));
  const panel = await screen.findByTestId("context-panel");
  expect(within(panel).getByTestId("context-selector").textContent).toBe('{host_name="h1", service_name="checkout"}');
  await vi.waitFor(() => expect(within(panel).getAllByTestId("log-row").length).toBeGreaterThan(0));
  const around = calls.map((c) => new URL(c, "http://x")).filter((u) => u.searchParams.get("query") === '{host_name="h1", service_name="checkout"}');
  const hit = `${T + 2000}000000`;
  expect(around.map((u) => [u.searchParams.get("direction"), u.searchParams.get("start"), u.searchParams.get("end")])).toEqual([
    ["backward", String(BigInt(hit) - 3_600_000_000_000n), String(BigInt(hit) + 1n)],
    ["forward", String(BigInt(hit) + 1n), String(BigInt(hit) + 3_600_000_000_000n)],
  ]);
  expect(within(panel).getAllByTestId("log-row").filter((r) => r.classList.contains("hit"))).toHaveLength(1);
  expect(new URLSearchParams(window.location.search).get("context")).toBe(rows[0].dataset.lineId);
});

it("zooms the global range by dragging across the volume chart", async () => {
  stubLoki();
  openUrl(`/logs?mode=logql&query=${encodeURIComponent("{a=\"b\"}")}&from=${T}&to=${T + 100_000}`);
  render(<App />);
  const chart = await screen.findByTestId("volume-chart");
  chart.getBoundingClientRect = () => ({ left: 0, top: 0, width: 1000, height: 90, right: 1000, bottom: 90, x: 0, y: 0, toJSON: () => ({}) });
  fireEvent.mouseDown(chart, { clientX: 200, button: 0 });
  fireEvent.mouseMove(chart, { clientX: 500 });
  expect(screen.getByTestId("zoom-selection")).toBeTruthy();
  fireEvent.mouseUp(chart, { clientX: 500 });
  const params = new URLSearchParams(window.location.search);
  expect([params.get("from"), params.get("to")]).toEqual([String(T + 20_000), String(T + 50_000)]);
});

class FakeSocket {
  static last: FakeSocket;
  url: string;
  onopen?: () => void;
  onmessage?: (event: { data: string }) => void;
  onclose?: (event: { code: number; reason: string }) => void;
  closed = false;
  constructor(url: string) {
    this.url = url;
    FakeSocket.last = this;
  }
  close() {
    this.closed = true;
  }
  send(streams: LokiStream[]) {
    act(() => this.onmessage?.({ data: JSON.stringify({ streams }) }));
  }
}

it("tails live, pauses with a count of waiting lines and resumes", async () => {
  stubLoki();
  vi.stubGlobal("WebSocket", FakeSocket);
  openUrl(`/logs?mode=logql&query=${encodeURIComponent("{a=\"b\"}")}`);
  render(<App />);
  await screen.findAllByTestId("log-row");
  fireEvent.click(screen.getByTestId("live-start"));
  await screen.findByTestId("live-controls");
  const socket = FakeSocket.last;
  expect(socket.url).toMatch(/^ws:\/\/[^/]+\/loki\/api\/v1\/tail\?query=%7Ba%3D%22b%22%7D&start=\d+&limit=100$/);
  act(() => socket.onopen?.());
  socket.send([{ stream: { service_name: "web" }, values: [[`${T}000000`, "first"]] }]);
  expect((await screen.findAllByTestId("log-text")).map((t) => t.textContent)).toEqual(["first"]);

  fireEvent.click(screen.getByTestId("live-pause"));
  expect(new URLSearchParams(window.location.search).get("live")).toBe("paused");
  socket.send([{ stream: { service_name: "web" }, values: [[`${T + 1}000000`, "second"]] }]);
  expect(screen.getAllByTestId("log-text").map((t) => t.textContent)).toEqual(["first"]);
  expect(screen.getByTestId("live-resume").textContent).toBe("Resume (1 new)");

  fireEvent.click(screen.getByTestId("live-resume"));
  await vi.waitFor(() => expect(screen.getAllByTestId("log-text").map((t) => t.textContent)).toEqual(["second", "first"]));
  fireEvent.click(screen.getByTestId("live-stop"));
  expect(socket.closed).toBe(true);
  expect(new URLSearchParams(window.location.search).get("live")).toBeNull();
});

it("reads severity, trace id and attributes from the store when the reply carries no metadata", async () => {
  const bare: LokiStream[] = [{ stream: { service_name: "pay" }, values: [[`${T}000000`, "card declined"], [`${T - 1}000000`, "other"]] }];
  const stored = [
    { ns: `${T}000000`, service: "pay", head: "card declined", severity_text: "ERROR", trace_id: ID, span_id: "00f067aa0ba902b7", attributes: { "order.id": "o-1" } },
  ];
  const calls = stubLoki(bare, undefined, stored);
  openUrl(`/logs?mode=logql&query=${encodeURIComponent('{service_name="pay"}')}`);
  render(<App />);
  await vi.waitFor(() => expect(screen.getAllByTestId("log-row").map((r) => r.dataset.level)).toEqual(["error", "unknown"]));
  expect(screen.getByTestId("log-trace-link").getAttribute("href")).toBe(`/traces/${ID}`);
  expect(calls.filter((c) => c.startsWith("/api/ms/sql"))).toEqual(["/api/ms/sql?limit=4"]);
  fireEvent.click(screen.getAllByTestId("log-row")[0].querySelector(".log-summary") as Element);
  const fields = within(await screen.findByTestId("log-detail")).getAllByTestId("log-field").map((row) => row.dataset.field);
  expect(fields).toEqual(["trace", "service_name", "order.id", "severity_text", "span_id", "trace_id"]);
});

it("keeps an unsaved query while a line is expanded", async () => {
  stubLoki();
  openUrl(`/logs?mode=logql&query=${encodeURIComponent('{a="b"}')}`);
  render(<App />);
  const rows = await screen.findAllByTestId("log-row");
  fireEvent.change(screen.getByTestId("logql-input"), { target: { value: '{a="b"} |= "draft"' } });
  fireEvent.click(rows[0].querySelector(".log-summary") as Element);
  await screen.findByTestId("log-detail");
  expect((screen.getByTestId("logql-input") as HTMLTextAreaElement).value).toBe('{a="b"} |= "draft"');
});

it("offers labels and the fields of the lines on screen after a pipe", async () => {
  stubLoki();
  openUrl(`/logs?mode=logql&query=${encodeURIComponent('{a="b"}')}`);
  render(<App />);
  await screen.findAllByTestId("log-row");
  const text = '{a="b"} | ';
  fireEvent.change(screen.getByTestId("logql-input"), { target: { value: text, selectionStart: text.length } });
  const names = (await screen.findAllByTestId("suggestion")).map((o) => o.textContent);
  expect(names).toEqual(expect.arrayContaining(["service_name", "host_name", "user", "trace_id", "detected_level"]));
});
