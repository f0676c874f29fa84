import { expect, it } from "vitest";
import { addNs, compareNs, flattenMetadata, hashText, linesFromStreams, msToNs, queryRangeUrl, tailUrl, usToNs, type LokiStream } from "./loki";

const ID = "4bf92f3577b34da6a3ce929d0e0e4736";

const STREAMS: LokiStream[] = [
  {
    stream: { service_name: "api", level: "error" },
    values: [
      ["1700000000000000002", "boom"],
      ["1700000000000000001", `charged trace_id=${ID}`],
    ],
  },
  {
    stream: { service_name: "web" },
    values: [
      ["1700000000500000000", "hello", { trace_id: ID, severity_text: "WARN" }],
      ["1699999999000000000", "old", { structuredMetadata: { user: "u1" }, parsed: { status: 500 } }],
    ],
  },
];

it("merges streams into lines, newest first, with level, trace and metadata", () => {
  const lines = linesFromStreams(STREAMS);
  expect(lines.map((l) => l.line)).toEqual(["hello", "boom", `charged trace_id=${ID}`, "old"]);
  const [hello, boom, charged, old] = lines;
  expect(hello).toMatchObject({ ms: 1_700_000_000_500, level: "warn", traceId: ID, metadata: { trace_id: ID, severity_text: "WARN" } });
  expect(boom).toMatchObject({ level: "error", traceId: null, labels: { service_name: "api", level: "error" }, metadata: {} });
  expect(charged.traceId).toBe(ID);
  expect(old.metadata).toEqual({ user: "u1", status: "500" });
  expect(old.level).toBe("unknown");
  expect(linesFromStreams(STREAMS, "forward").map((l) => l.line)).toEqual(["old", `charged trace_id=${ID}`, "boom", "hello"]);
});

it("gives lines stable ids and drops exact duplicates", () => {
  const twice = linesFromStreams([STREAMS[0], STREAMS[0]]);
  expect(twice).toHaveLength(2);
  expect(twice[0].id).toBe(`1700000000000000002-${hashText('[["level","error"],["service_name","api"]]\nboom')}`);
  expect(linesFromStreams(STREAMS)[1].id).toBe(twice[0].id);
});

it("flattens metadata whether flat or categorised", () => {
  expect(flattenMetadata(undefined)).toEqual({});
  expect(flattenMetadata({ a: "1", n: 2, nested: { x: 1 } })).toEqual({ a: "1", n: "2" });
  expect(flattenMetadata({ structuredMetadata: { trace_id: "t" }, parsed: { level: "info" } })).toEqual({ trace_id: "t", level: "info" });
});

it("keeps nanoseconds exact", () => {
  expect(msToNs(1_700_000_000_123)).toBe("1700000000123000000");
  expect(usToNs(1_700_000_000_123_456)).toBe("1700000000123456000");
  expect(addNs("1700000000123456789", 1n)).toBe("1700000000123456790");
  expect(compareNs("999", "1000")).toBe(-1);
  expect(compareNs("1700000000123456789", "1700000000123456789")).toBe(0);
});

it("writes query and tail addresses", () => {
  const url = new URL(queryRangeUrl({ query: '{a="b"}', startNs: "1", endNs: "2", limit: 10, direction: "forward" }), "http://x");
  expect(url.pathname).toBe("/loki/api/v1/query_range");
  expect(Object.fromEntries(url.searchParams)).toEqual({ query: '{a="b"}', start: "1", end: "2", limit: "10", direction: "forward" });
  expect(tailUrl({ protocol: "https:", host: "ms:3100" }, '{a="b"}', "5", 100)).toBe(
    "wss://ms:3100/loki/api/v1/tail?query=%7Ba%3D%22b%22%7D&start=5&limit=100",
  );
  expect(tailUrl({ protocol: "http:", host: "h" }, "{}", "5", 1).startsWith("ws://h/")).toBe(true);
});
