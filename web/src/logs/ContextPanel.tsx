// Lines before and after one hit in the same stream: two queries on the hit's stream selector around its time.
import { useState } from "react";
import { useApi } from "../api/useApi";
import { ErrorBanner } from "../shell/ErrorBanner";
import { addNs, CATEGORIZE_LABELS, linesFromStreams, queryRangeUrl, type LabelSet, type LogLine, type QueryResponse } from "./loki";
import { useStoredFields } from "./enrich";
import { streamSelector } from "./logql";
import { LogRow } from "./LogRow";

export const CONTEXT_LINES = 20;
const WINDOW_NS = 3_600_000_000_000n;

/** The hit's stream selector: its stream labels, minus any that are not indexed labels (parsed or metadata). */
export function contextSelector(labels: LabelSet, indexed: string[] | null): string {
  const kept = indexed ? Object.fromEntries(Object.entries(labels).filter(([name]) => indexed.includes(name))) : labels;
  return streamSelector(Object.keys(kept).length > 0 ? kept : labels);
}

/** The two requests: up to and including the hit (newest first), and after it (oldest first). */
export function contextUrls(hit: LogLine, selector: string, count: number): { before: string; after: string } {
  return {
    before: queryRangeUrl({ query: selector, startNs: addNs(hit.ns, -WINDOW_NS), endNs: addNs(hit.ns, 1n), limit: count + 1, direction: "backward" }),
    after: queryRangeUrl({ query: selector, startNs: addNs(hit.ns, 1n), endNs: addNs(hit.ns, WINDOW_NS), limit: count, direction: "forward" }),
  };
}

interface Props {
  hit: LogLine;
  indexedLabels: string[] | null;
  onClose: () => void;
}

export function ContextPanel({ hit, indexedLabels, onClose }: Props) {
  const [count, setCount] = useState(CONTEXT_LINES);
  const [expanded, setExpanded] = useState("");
  const selector = contextSelector(hit.labels, indexedLabels);
  const urls = contextUrls(hit, selector, count);
  const before = useApi<QueryResponse>(urls.before, 0, CATEGORIZE_LABELS);
  const after = useApi<QueryResponse>(urls.after, 0, CATEGORIZE_LABELS);
  const error = before.error ?? after.error;
  const streams = (reply: QueryResponse | null) => (reply?.data.resultType === "streams" ? reply.data.result : []);
  const older = linesFromStreams(streams(before.data), "forward");
  const newer = linesFromStreams(streams(after.data), "forward");
  const merged = [...older, ...newer.filter((line) => !older.some((o) => o.id === line.id))];
  if (!merged.some((line) => line.id === hit.id)) merged.splice(older.length, 0, hit);
  const lines = useStoredFields(merged);

  return (
    <aside className="context-panel" data-testid="context-panel" aria-label="Log context">
      <div className="detail-head">
        <h2>Context</h2>
        <code className="muted context-selector" data-testid="context-selector">{selector}</code>
        <button type="button" className="close" onClick={onClose} aria-label="Close context" data-testid="close-context">×</button>
      </div>
      <div className="context-actions">
        <span className="muted">{count} lines before and after, oldest first</span>
        <button type="button" onClick={() => setCount(count * 2)} data-testid="more-context">More lines</button>
      </div>
      {error && <ErrorBanner title="Context" message={error} />}
      {!before.data && !after.data && !error && <div className="loading">Loading context…</div>}
      <div className="context-lines">
        {lines.map((line) => (
          <LogRow key={line.id} line={line} expanded={line.id === expanded} highlight={line.id === hit.id}
            onToggle={(id) => setExpanded(expanded === id ? "" : id)} />
        ))}
      </div>
    </aside>
  );
}
