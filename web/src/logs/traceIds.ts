// Trace ids in log lines: beside the line (structured metadata) or written inside it.

const ID_KEYS = ["trace_id", "traceid", "traceId", "trace.id", "traceID"];
const VALID = /^[0-9a-f]{32}$/i;
const ZERO = /^0+$/;

// trace_id=…, "traceId":"…", trace.id: …, and W3C traceparent 00-<trace>-<span>-<flags>.
const IN_TEXT = [
  /\btrace[._]?id["']?\s*[=:]\s*["']?([0-9a-f]{32})\b/i,
  /\btraceparent["']?\s*[=:]\s*["']?[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}\b/i,
];

function valid(id: string | undefined): string | null {
  if (!id) return null;
  const text = id.trim();
  return VALID.test(text) && !ZERO.test(text) ? text.toLowerCase() : null;
}

/** The trace id of a line: from its metadata or labels first, then from its text; null when none. */
export function findTraceId(line: string, ...labelSets: (Record<string, string> | undefined)[]): string | null {
  for (const labels of labelSets) {
    for (const key of ID_KEYS) {
      const id = valid(labels?.[key]);
      if (id) return id;
    }
  }
  for (const pattern of IN_TEXT) {
    const id = valid(pattern.exec(line)?.[1]);
    if (id) return id;
  }
  return null;
}

/** The line split around each occurrence of `id`, so the id can be drawn as a link. */
export function splitAroundId(line: string, id: string): string[] {
  const parts: string[] = [];
  const lower = line.toLowerCase();
  let at = 0;
  for (let found = lower.indexOf(id, at); found >= 0; found = lower.indexOf(id, at)) {
    parts.push(line.slice(at, found), line.slice(found, found + id.length));
    at = found + id.length;
  }
  parts.push(line.slice(at));
  return parts;
}
