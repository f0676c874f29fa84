// The Loki query API as the Logs page uses it: request URLs and the replies turned into log lines.
import { buildHref } from "../lib/router";
import { levelFromLabels, levelFromText, type Level } from "./severity";
import { findTraceId } from "./traceIds";

export type Direction = "backward" | "forward";
export type LabelSet = Record<string, string>;
/** `[ns, line]`, or `[ns, line, metadata]` with metadata flat or categorised (Loki 3's `categorize-labels`). */
export type StreamValue = [string, string] | [string, string, Record<string, unknown>];

export interface LokiStream {
  stream: LabelSet;
  values: StreamValue[];
}

export interface MatrixSeries {
  metric: LabelSet;
  values: [number, string][];
}

export interface VectorSample {
  metric: LabelSet;
  value: [number, string];
}

export type QueryData =
  | { resultType: "streams"; result: LokiStream[]; stats?: unknown }
  | { resultType: "matrix"; result: MatrixSeries[]; stats?: unknown }
  | { resultType: "vector"; result: VectorSample[]; stats?: unknown }
  | { resultType: "scalar"; result: [number, string]; stats?: unknown };

export interface QueryResponse {
  status: string;
  data: QueryData;
}

export interface LabelsResponse {
  status: string;
  data: string[] | null;
}

export interface LogLine {
  /** Stable across reloads: the timestamp and a hash of stream and text. */
  id: string;
  /** Nanoseconds since the epoch, as Loki sends them (too many digits for a JS number). */
  ns: string;
  ms: number;
  line: string;
  /** The stream's labels. */
  labels: LabelSet;
  /** Structured metadata and parsed fields carried beside the line. */
  metadata: LabelSet;
  level: Level;
  traceId: string | null;
}

export function msToNs(ms: number): string {
  return (BigInt(Math.floor(ms)) * 1_000_000n).toString();
}

export function usToNs(us: number): string {
  return (BigInt(Math.floor(us)) * 1000n).toString();
}

export function addNs(ns: string, delta: bigint): string {
  return (BigInt(ns) + delta).toString();
}

/**
 * Asks for Loki's `categorize-labels` encoding (as Grafana does): streams keep only stream labels and each
 * line carries its structured metadata (trace id, level, attributes) and parsed labels.
 */
export const CATEGORIZE_LABELS = { "X-Loki-Response-Encoding-Flags": "categorize-labels" };

export interface RangeRequest {
  query: string;
  startNs: string;
  endNs: string;
  limit?: number;
  direction?: Direction;
  step?: number;
}

export function queryRangeUrl(request: RangeRequest): string {
  return buildHref("/loki/api/v1/query_range", {
    query: request.query,
    start: request.startNs,
    end: request.endNs,
    limit: request.limit,
    direction: request.direction,
    step: request.step,
  });
}

export function labelsUrl(startNs: string, endNs: string): string {
  return buildHref("/loki/api/v1/labels", { start: startNs, end: endNs });
}

export function labelValuesUrl(name: string, startNs: string, endNs: string): string {
  return buildHref(`/loki/api/v1/label/${encodeURIComponent(name)}/values`, { start: startNs, end: endNs });
}

/** The WebSocket address of `/loki/api/v1/tail` on the page's own server. */
export function tailUrl(location: { protocol: string; host: string }, query: string, startNs: string, limit: number): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${buildHref("/loki/api/v1/tail", { query, start: startNs, limit })}`;
}

function textValues(record: unknown): LabelSet {
  const flat: LabelSet = {};
  if (typeof record !== "object" || record === null) return flat;
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") flat[key] = String(value);
  }
  return flat;
}

/** Metadata as one flat map, whether it came flat or split into `structuredMetadata` and `parsed`. */
export function flattenMetadata(raw: Record<string, unknown> | undefined): LabelSet {
  if (!raw) return {};
  const categorised = "structuredMetadata" in raw || "parsed" in raw;
  return categorised ? { ...textValues(raw.structuredMetadata), ...textValues(raw.parsed) } : textValues(raw);
}

/** FNV-1a, 32 bits, base 36: short ids for rows. */
export function hashText(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

const padNs = (ns: string) => ns.padStart(20, "0");

export function compareNs(a: string, b: string): number {
  const [x, y] = [padNs(a), padNs(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

function toLine(stream: LokiStream, streamKey: string, value: StreamValue): LogLine {
  const [ns, line] = value;
  const metadata = flattenMetadata(value[2]);
  const labelLevel = levelFromLabels(metadata, stream.stream);
  return {
    id: `${ns}-${hashText(`${streamKey}\n${line}`)}`,
    ns,
    ms: Number(ns.slice(0, -6) || "0"),
    line,
    labels: stream.stream,
    metadata,
    level: labelLevel !== "unknown" ? labelLevel : levelFromText(line),
    traceId: findTraceId(line, metadata, stream.stream),
  };
}

/** All lines of all streams, newest first for `backward`, oldest first for `forward`; duplicates dropped. */
export function linesFromStreams(streams: LokiStream[], direction: Direction = "backward"): LogLine[] {
  const seen = new Set<string>();
  const lines: LogLine[] = [];
  for (const stream of streams) {
    const key = JSON.stringify(Object.entries(stream.stream ?? {}).sort());
    for (const value of stream.values ?? []) {
      const line = toLine(stream, key, value);
      if (seen.has(line.id)) continue;
      seen.add(line.id);
      lines.push(line);
    }
  }
  const sign = direction === "backward" ? -1 : 1;
  return lines.sort((a, b) => sign * compareNs(a.ns, b.ns));
}
