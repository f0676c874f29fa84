// Jaeger-shaped fixtures and a fetch stub for component tests.
import { vi } from "vitest";
import type { JaegerSpan, JaegerTag, JaegerTrace, TraceSummary } from "../api/types";

export const T0 = 1_700_000_000_000_000;

export const tag = (key: string, value: string | number | boolean): JaegerTag => ({
  key,
  type: typeof value === "boolean" ? "bool" : typeof value === "number" ? "int64" : "string",
  value,
});

export function span(id: string, parent: string | null, name: string, start: number, duration: number, processID = "p1"): JaegerSpan {
  return {
    traceID: "t1",
    spanID: id,
    operationName: name,
    references: parent ? [{ refType: "CHILD_OF", traceID: "t1", spanID: parent }] : [],
    startTime: T0 + start,
    duration,
    tags: [],
    logs: [],
    processID,
    warnings: null,
    flags: 1,
  };
}

export const STACK = 'Traceback (most recent call last):\n  File "pay.py", line 3, in charge\nValueError: card declined';

/** gateway GET /checkout → orders create order → payments charge card (error, exception); plus an orphan. */
export function checkoutTrace(): JaegerTrace {
  const charge = span("c1", "b1", "charge card", 40_000, 30_000, "p3");
  charge.tags = [tag("span.kind", "internal"), tag("otel.status_code", "ERROR"), tag("otel.status_description", "card declined"), tag("error", true)];
  charge.logs = [
    {
      timestamp: T0 + 60_000,
      fields: [tag("event", "exception"), tag("exception.type", "ValueError"), tag("exception.message", "card declined"), tag("exception.stacktrace", STACK)],
    },
  ];
  const root = span("a1", null, "GET /checkout", 0, 120_000);
  root.tags = [tag("span.kind", "server")];
  return {
    traceID: "t1",
    spans: [charge, span("zz", "gone", "orphan work", 1_000, 3_000, "p2"), span("b1", "a1", "create order", 10_000, 80_000, "p2"), root],
    processes: {
      p1: { serviceName: "gateway", tags: [tag("host.name", "gw-1")] },
      p2: { serviceName: "orders", tags: [] },
      p3: { serviceName: "payments", tags: [] },
    },
    warnings: null,
  };
}

export const SUMMARIES: TraceSummary[] = [
  { traceID: "t1", rootService: "gateway", rootName: "GET /checkout", startTime: T0, duration: 120_000, spanCount: 4, errorCount: 1, services: ["gateway", "orders", "payments"] },
  { traceID: "t2", rootService: "gateway", rootName: "GET /health", startTime: T0 - 1e6, duration: 30_000, spanCount: 1, errorCount: 0, services: ["gateway"] },
];

type Reply = [number, unknown];

/** Stubs fetch: routes are keyed by path (no query); others answer 404. Returns the URLs fetched. */
export function stubFetch(routes: Record<string, Reply>): string[] {
  const calls: string[] = [];
  vi.stubGlobal("fetch", async (input: string) => {
    calls.push(input);
    const [status, body] = routes[input.split("?")[0]] ?? [404, { error: `no stub for ${input}` }];
    return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  });
  return calls;
}

export function envelope<T>(data: T) {
  return { data, total: 0, limit: 0, offset: 0, errors: null };
}

/** Puts the app at a URL as if the user had opened it. */
export function openUrl(url: string): void {
  window.history.replaceState(null, "", url);
}

/** Stubs fetch with a function of the parsed URL, for pages that ask one path several questions. */
export function stubFetchBy(answer: (url: URL) => Reply | undefined): string[] {
  const calls: string[] = [];
  vi.stubGlobal("fetch", async (input: string) => {
    calls.push(input);
    const [status, body] = answer(new URL(input, "http://x")) ?? [404, { error: `no stub for ${input}` }];
    const text = typeof body === "string" ? body : JSON.stringify(body);
    return new Response(text, { status, headers: { "Content-Type": typeof body === "string" ? "text/plain" : "application/json" } });
  });
  return calls;
}
