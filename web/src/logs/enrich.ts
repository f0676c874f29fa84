// Severity, trace ids and attributes of lines whose Loki reply carried no metadata, read from the logs table
// through the read-only SQL API. Lines that came with metadata are left as they are.
import { useEffect, useMemo, useRef, useState } from "react";
import { postText } from "../api/client";
import { findTraceId } from "./traceIds";
import { levelFromLabels, levelFromText } from "./severity";
import type { LabelSet, LogLine } from "./loki";
import { SERVICE_LABEL } from "./logql";

export const BATCH = 1000;
const HEAD = 200;

export interface StoredFields {
  ns: string;
  service: string;
  head: string;
  severity_text: string;
  trace_id: string;
  span_id: string;
  attributes: Record<string, string>;
}

const sqlString = (text: string) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** The SELECT for a batch of lines: exact nanosecond times (and services) so it reads few granules. */
export function fieldsSql(lines: LogLine[]): string {
  const times = lines.map((line) => line.ns);
  const sorted = [...times].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  const services = [...new Set(lines.map((line) => line.labels[SERVICE_LABEL]).filter(Boolean))];
  const where = [
    `timestamp BETWEEN fromUnixTimestamp64Nano(toInt64(${sorted[0]})) AND fromUnixTimestamp64Nano(toInt64(${sorted.at(-1)}))`,
    `toUnixTimestamp64Nano(timestamp) IN (${[...new Set(times)].join(", ")})`,
    ...(services.length > 0 ? [`service_name IN (${services.map(sqlString).join(", ")})`] : []),
  ];
  return (
    `SELECT toString(toUnixTimestamp64Nano(timestamp)) AS ns, service_name AS service, substringUTF8(body, 1, ${HEAD}) AS head, ` +
    `severity_text, trace_id, span_id, attributes FROM meshscope.logs WHERE ${where.join(" AND ")}`
  );
}

const key = (ns: string, service: string, head: string) => `${ns}\n${service}\n${head}`;

/** Stored fields as line metadata: severity, trace and span ids, then attributes. */
export function metadataOf(row: StoredFields): LabelSet {
  const meta: LabelSet = {};
  for (const [name, value] of Object.entries(row.attributes ?? {})) meta[name] = String(value);
  if (row.severity_text) meta.severity_text = row.severity_text;
  if (row.trace_id) meta.trace_id = row.trace_id;
  if (row.span_id) meta.span_id = row.span_id;
  return meta;
}

/** Each line's stored fields by line id ({} when none was found, so it is not asked again). */
export function matchFields(lines: LogLine[], rows: StoredFields[]): Map<string, LabelSet> {
  const found = new Map(rows.map((row) => [key(row.ns, row.service, row.head), metadataOf(row)]));
  const out = new Map<string, LabelSet>();
  for (const line of lines) {
    const head = [...line.line].slice(0, HEAD).join("");
    out.set(line.id, found.get(key(line.ns, line.labels[SERVICE_LABEL] ?? "", head)) ?? found.get(key(line.ns, line.labels[SERVICE_LABEL] ?? "", line.line.slice(0, HEAD))) ?? {});
  }
  return out;
}

/** The line with stored fields added: its level and trace id are read again from them. */
export function withFields(line: LogLine, fields: LabelSet | undefined): LogLine {
  if (!fields || Object.keys(fields).length === 0) return line;
  const metadata = { ...fields, ...line.metadata };
  const labelLevel = levelFromLabels(metadata, line.labels);
  return {
    ...line,
    metadata,
    level: labelLevel !== "unknown" ? labelLevel : levelFromText(line.line),
    traceId: findTraceId(line.line, metadata, line.labels),
  };
}

/** The lines with their stored fields, fetched in batches for lines not seen before. */
export function useStoredFields(lines: LogLine[]): LogLine[] {
  const known = useRef(new Map<string, LabelSet>());
  const [version, setVersion] = useState(0);
  const missing = lines.filter((line) => Object.keys(line.metadata).length === 0 && !known.current.has(line.id));
  const missingKey = missing.map((line) => line.id).join(",");

  useEffect(() => {
    if (missing.length === 0) return;
    const controller = new AbortController();
    const batches: LogLine[][] = [];
    for (let i = 0; i < missing.length; i += BATCH) batches.push(missing.slice(i, i + BATCH));
    for (const batch of batches) {
      postText<{ data: StoredFields[] }>(`/api/ms/sql?limit=${batch.length * 2}`, fieldsSql(batch), controller.signal).then(
        (reply) => {
          for (const [id, fields] of matchFields(batch, reply.data ?? [])) known.current.set(id, fields);
          setVersion((v) => v + 1);
        },
        () => {
          // The fields are a bonus: without them lines still show, with levels read from their text.
          if (controller.signal.aborted) return;
          for (const line of batch) known.current.set(line.id, {});
        },
      );
    }
    return () => controller.abort();
  }, [missingKey]); // `missing` is a new array each render; its ids say when it changed

  return useMemo(() => lines.map((line) => withFields(line, known.current.get(line.id))), [lines, version]); // `version` counts answers stored in the ref
}
