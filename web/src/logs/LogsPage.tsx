// The Logs section: query bar, volume by level, the lines (or live tail) and a line's context; all state in the URL.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef } from "react";
import { getJson } from "../api/client";
import { useApi } from "../api/useApi";
import { cached, type SuggestFn } from "../lib/QueryEditor";
import { Link, navigate, useLocation } from "../lib/router";
import { ErrorBanner } from "../shell/ErrorBanner";
import { usePinnedRange, useTime } from "../shell/time";
import { ContextPanel } from "./ContextPanel";
import { useStoredFields } from "./enrich";
import { LogList } from "./LogList";
import { isMetricQuery, SERVICE_LABEL, volumeQuery } from "./logql";
import { effectiveQuery, logsParams, readLogsState, type LogsState } from "./logsState";
import {
  CATEGORIZE_LABELS, labelsUrl, labelValuesUrl, linesFromStreams, queryRangeUrl, usToNs, type LabelsResponse, type LogLine, type QueryResponse,
} from "./loki";
import { QueryBar } from "./QueryBar";
import { LIVE_CAP, useTail } from "./useTail";
import { VolumeHistogram } from "./VolumeHistogram";
import { volumeFromMatrix } from "./volume";
import { niceStep } from "../lib/steps";
import type { ResolvedRange } from "../lib/timeRange";

const MetricResult = lazy(() => import("./MetricResult"));
const VOLUME_BARS = 100;

function useLogsUrl() {
  const { params } = useLocation();
  const { hrefWithRange, refreshNow } = useTime();
  const state = readLogsState(params);
  const go = (next: LogsState, options: { replace?: boolean; refresh?: boolean } = {}) => {
    navigate(hrefWithRange("/logs", logsParams(next)), { replace: options.replace });
    if (options.refresh) refreshNow();
  };
  return { params, state, go };
}

// Fields every meshscope line may carry beside its stream labels.
const KNOWN_FIELDS = ["detected_level", "severity_text", "trace_id", "span_id"];

/**
 * Label names and values for completion, cached until the range itself (not a refresh tick) changes; after `|`,
 * also the fields of the lines on screen (`fields` is filled as results arrive).
 */
function useSuggest(startNs: string, endNs: string, fields: { current: Set<string> }): SuggestFn {
  const { range } = useTime();
  return useMemo(() => {
    const load = cached((url) => getJson<LabelsResponse>(url).then((reply) => reply.data ?? []));
    return async (context) => {
      if (context.kind === "value") return load(labelValuesUrl(context.label, startNs, endNs));
      const labels = await load(labelsUrl(startNs, endNs));
      return context.kind === "field" ? [...new Set([...labels, ...KNOWN_FIELDS, ...fields.current])] : labels;
    };
  }, [range.from, range.to]); // not the ns bounds: a relative range moves them on every refresh
}

/** Remembers the field names of the lines shown, for completion after `|`. */
function useFieldNames(lines: LogLine[], fields: { current: Set<string> }) {
  useEffect(() => {
    for (const line of lines.slice(0, 200)) for (const name of Object.keys(line.metadata)) fields.current.add(name);
  }, [lines, fields]);
}

function TraceFilter({ state, go }: { state: LogsState; go: (s: LogsState) => void }) {
  const { hrefWithRange } = useTime();
  return (
    <div className="filter-line trace-filter" data-testid="logs-trace-filter">
      Lines of trace <code data-testid="logs-trace-id">{state.traceId}</code> ·{" "}
      <Link href={hrefWithRange(`/traces/${encodeURIComponent(state.traceId)}`)}>open the trace</Link> · matched by{" "}
      <select value={state.traceMatch} data-testid="trace-match"
        onChange={(e) => go({ ...state, traceMatch: e.target.value as LogsState["traceMatch"], query: "", line: "", context: "" })}>
        <option value="metadata">the trace id stored with each line</option>
        <option value="text">the id in the line's text</option>
      </select>
    </div>
  );
}

function Volume({ query, window }: { query: string; window: ResolvedRange }) {
  const { setRange, tick } = useTime();
  const startSec = window.startUs / 1e6;
  const endSec = window.endUs / 1e6;
  const step = niceStep(Math.max(1, (endSec - startSec) / VOLUME_BARS));
  // Points on multiples of the step, the last at or after the end: each counts the step before it.
  const alignedStart = Math.floor(startSec / step) * step;
  const alignedEnd = Math.ceil(endSec / step) * step;
  const url = queryRangeUrl({ query: volumeQuery(query, step), startNs: usToNs(alignedStart * 1e6), endNs: usToNs(alignedEnd * 1e6), step });
  const { data, error } = useApi<QueryResponse>(url, tick);
  // The lines' own query reports a bad query in full; the volume wraps it, so its positions would mislead.
  if (error) return <div className="volume-problem muted" data-testid="volume-error" title={error}>No volume histogram for this query.</div>;
  if (!data || data.data.resultType !== "matrix") return <div className="volume volume-empty" />;
  const volume = volumeFromMatrix(data.data.result, startSec, endSec, step);
  return <VolumeHistogram volume={volume} startSec={startSec} endSec={endSec} onZoom={(from, to) => setRange({ from: String(from), to: String(to) })} />;
}

interface LinesProps {
  state: LogsState;
  query: string;
  go: (s: LogsState, o?: { replace?: boolean }) => void;
  indexed: string[] | null;
  window: ResolvedRange;
  fields: { current: Set<string> };
}

function Lines({ state, query, go, indexed, window, fields }: LinesProps) {
  const live = state.live !== "";
  const url = live ? null : queryRangeUrl({ query, startNs: usToNs(window.startUs), endNs: usToNs(window.endUs), limit: state.limit, direction: state.direction });
  const { tick } = useTime();
  const { data, error, loading } = useApi<QueryResponse>(url, tick, CATEGORIZE_LABELS);
  const tail = useTail(live ? query : null, state.live === "paused");
  const lines = useMemo(
    () => (data?.data.resultType === "streams" ? linesFromStreams(data.data.result, state.direction) : []),
    [data, state.direction],
  );
  const shown = useStoredFields(live ? tail.lines : lines);
  useFieldNames(shown, fields);
  const toggle = useCallback((id: string) => go({ ...state, line: state.line === id ? "" : id }, { replace: true }), [state, go]);
  const openContext = useCallback((id: string) => go({ ...state, context: id }), [state, go]);
  const hit = state.context ? shown.find((line) => line.id === state.context) : undefined;

  return (
    <div className="logs-results">
      <div className="results-toolbar">
        <LiveControls state={state} go={go} waiting={tail.waiting} status={live ? tail.status : null} />
        <span className="results-summary" data-testid="logs-summary">
          {live ? `${shown.length} live ${shown.length === 1 ? "line" : "lines"} (the newest ${LIVE_CAP} are kept)` : data ? `${shown.length} ${shown.length === 1 ? "line" : "lines"}${shown.length >= state.limit ? ` (limit ${state.limit} reached)` : ""}` : ""}
        </span>
      </div>
      {error && !live && <ErrorBanner title="Query failed" message={error} />}
      {live && tail.error && <ErrorBanner title="Live tail" message={tail.error} />}
      {!live && !data && !error && <div className="loading">Searching logs…</div>}
      {data?.data && data.data.resultType !== "streams" && !live && (
        <ErrorBanner title="Query" message={`the reply is a ${data.data.resultType}, not log lines`} />
      )}
      {(live || data) && shown.length === 0 && !error && (
        <p className="empty-state">{live ? "Waiting for new lines…" : "No lines match in this time range. Widen the range or loosen the filters."}</p>
      )}
      <div className={`logs-body${hit ? " with-context" : ""}`}>
        <LogList lines={shown} expanded={state.line} onToggle={toggle} onContext={live ? undefined : openContext} stale={loading} />
        {hit && <ContextPanel key={hit.id} hit={hit} indexedLabels={indexed} onClose={() => go({ ...state, context: "" })} />}
        {state.context && !hit && (data || live) && (
          <aside className="context-panel"><ErrorBanner title="Context" message="that line is not in the current results" /></aside>
        )}
      </div>
    </div>
  );
}

function LiveControls({ state, go, waiting, status }: { state: LogsState; go: (s: LogsState, o?: { replace?: boolean }) => void; waiting: number; status: string | null }) {
  if (state.live === "") {
    return <button type="button" onClick={() => go({ ...state, live: "on", line: "", context: "" })} data-testid="live-start">▶ Live</button>;
  }
  const paused = state.live === "paused";
  return (
    <span className="live-controls" data-testid="live-controls" data-status={status ?? ""}>
      <span className={`live-dot ${status === "live" && !paused ? "on" : ""}`} />
      <button type="button" onClick={() => go({ ...state, live: paused ? "on" : "paused" }, { replace: true })} data-testid={paused ? "live-resume" : "live-pause"}>
        {paused ? `Resume${waiting ? ` (${waiting} new)` : ""}` : "Pause"}
      </button>
      <button type="button" onClick={() => go({ ...state, live: "" })} data-testid="live-stop">Stop</button>
    </span>
  );
}

/** What the query bar shows: a new one resets its draft; expanding a line or pausing the tail does not. */
function queryKey(state: LogsState): string {
  const { mode, query, simple, limit, direction, traceId, traceMatch } = state;
  return JSON.stringify([mode, query, simple, limit, direction, traceId, traceMatch]);
}

export default function LogsPage() {
  const { params, state, go } = useLogsUrl();
  const { query, problem } = effectiveQuery(state);
  const resolved = usePinnedRange(`${query}|${state.limit}|${state.direction}|${state.live}`);
  const startNs = usToNs(resolved.startUs);
  const endNs = usToNs(resolved.endUs);
  const fields = useRef(new Set<string>());
  const suggest = useSuggest(startNs, endNs, fields);
  const services = useApi<LabelsResponse>(labelValuesUrl(SERVICE_LABEL, startNs, endNs));
  const indexed = useApi<LabelsResponse>(labelsUrl(startNs, endNs));
  const metric = isMetricQuery(query);
  const goStable = useCallback(go, [params.toString()]); // a new `go` only when the URL changes

  return (
    <div className="logs-page" data-testid="page-logs">
      <QueryBar key={queryKey(state)} initial={state} services={[...(services.data?.data ?? [])].sort()} suggest={suggest}
        onRun={(next) => go(next, { refresh: true })} />
      {state.traceId && <TraceFilter state={state} go={goStable} />}
      {problem && <ErrorBanner title="Cannot search" message={problem} />}
      {!query && !problem && <p className="empty-state">Type a LogQL query, e.g. <code>{'{service_name="checkout"} |= "error"'}</code>, and press Enter.</p>}
      {query && !problem && !metric && state.live === "" && <Volume query={query} window={resolved} />}
      {query && !problem && metric && (
        <Suspense fallback={<div className="loading">Loading chart…</div>}>
          <MetricResult query={query} window={resolved} />
        </Suspense>
      )}
      {query && !problem && !metric && <Lines state={state} query={query} go={goStable} indexed={indexed.data?.data ?? null} window={resolved} fields={fields} />}
    </div>
  );
}
