// The Metrics explorer: PromQL queries (A, B, …) over the header's range, as a chart or a table of instant values.
import { lazy, Suspense, useLayoutEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { getJson } from "../api/client";
import { useApiAll } from "../api/useApiAll";
import { cached, QueryEditor, type SuggestFn } from "../lib/QueryEditor";
import { navigate, useLocation } from "../lib/router";
import { autoStep, formatStep } from "../lib/steps";
import { ErrorBanner } from "../shell/ErrorBanner";
import { rangeParams, usePinnedRange, useTime } from "../shell/time";
import { InstantTable } from "./InstantTable";
import { MAX_QUERIES, metricsHref, queryLetter, readMetricsState, resolveStep, type MetricsState, type Tab } from "./metricsState";
import {
  exemplarsFromData, exemplarsUrl, instantQueryUrl, labelNamesUrl, labelValuesUrl, PROMQL_FUNCTIONS, rangeQueryUrl,
  seriesFromData, type ExemplarGroup, type PromData, type PromResponse,
} from "./prometheus";

const TimeSeriesChart = lazy(() => import("./TimeSeriesChart"));

function usePromSuggest(): SuggestFn {
  return useMemo(() => {
    const load = cached((url) => getJson<PromResponse<string[]>>(url).then((reply) => reply.data ?? []));
    return async (context) => {
      if (context.kind === "value") return load(labelValuesUrl(context.label, context.metric));
      if (context.kind === "label") return load(labelNamesUrl(context.metric));
      const metrics = await load("/api/v1/label/__name__/values");
      return [...metrics, ...PROMQL_FUNCTIONS];
    };
  }, []);
}

function useElementWidth(): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(1000);
  useLayoutEffect(() => {
    if (ref.current?.clientWidth) setWidth(ref.current.clientWidth);
  }, []);
  return [ref, width];
}

interface FormProps {
  initial: MetricsState;
  autoStepSec: number;
  onRun: (state: MetricsState) => void;
}

function QueryForm({ initial, autoStepSec, onRun }: FormProps) {
  const [draft, setDraft] = useState(initial);
  const suggest = usePromSuggest();
  const setQuery = (index: number, text: string) => setDraft({ ...draft, queries: draft.queries.map((q, i) => (i === index ? text : q)) });
  const run = (next: MetricsState = draft) => onRun(next);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    run();
  };
  const stepProblem = resolveStep(draft.step, autoStepSec).problem;

  return (
    <form className="metrics-form" onSubmit={submit} data-testid="metrics-form">
      {draft.queries.map((query, index) => (
        <div key={index} className="query-row" data-testid="query-row">
          <span className="query-letter">{queryLetter(index)}</span>
          <QueryEditor value={query} onChange={(text) => setQuery(index, text)} onRun={() => run()} language="promql" suggest={suggest}
            placeholder="rate(http_server_requests_total[5m])" testId={`promql-input-${index}`} ariaLabel={`PromQL query ${queryLetter(index)}`} />
          {draft.queries.length > 1 && (
            <button type="button" className="remove-query" aria-label={`Remove query ${queryLetter(index)}`} data-testid={`remove-query-${index}`}
              onClick={() => setDraft({ ...draft, queries: draft.queries.filter((_, i) => i !== index) })}>×</button>
          )}
        </div>
      ))}
      <div className="query-options">
        <button type="button" onClick={() => setDraft({ ...draft, queries: [...draft.queries, ""] })} disabled={draft.queries.length >= MAX_QUERIES}
          data-testid="add-query">+ Query</button>
        <div className="mode-tabs" role="tablist">
          {(["graph", "table"] as Tab[]).map((tab) => (
            <button key={tab} type="button" role="tab" aria-selected={draft.tab === tab} className={draft.tab === tab ? "tab on" : "tab"}
              data-testid={`tab-${tab}`} onClick={() => { const next = { ...draft, tab }; setDraft(next); run(next); }}>
              {tab === "graph" ? "Graph" : "Table"}
            </button>
          ))}
        </div>
        {draft.tab === "graph" && (
          <label className="inline-field">
            Step
            <input type="text" value={draft.step} placeholder={`auto (${formatStep(autoStepSec)})`} spellCheck={false} data-testid="step-input"
              onChange={(e) => setDraft({ ...draft, step: e.target.value })} />
          </label>
        )}
        {stepProblem && <span className="field-problem" role="alert">{stepProblem}</span>}
        <span className="spacer" />
        <button type="submit" className="primary" data-testid="metrics-run">Run queries</button>
      </div>
    </form>
  );
}

function Graph({ state, queries, startSec, endSec, step }: { state: MetricsState; queries: string[]; startSec: number; endSec: number; step: number }) {
  const { setRange, tick } = useTime();
  const ranges = useApiAll<PromResponse>(queries.map((q) => (q ? rangeQueryUrl(q, startSec, endSec, step) : null)), tick);
  const exemplarReplies = useApiAll<PromResponse<ExemplarGroup[]>>(queries.map((q) => (q ? exemplarsUrl(q, startSec, endSec) : null)), tick);
  const many = queries.filter(Boolean).length > 1;
  const series = useMemo(
    () => ranges.flatMap((r, i) => (r.data ? seriesFromData(r.data.data, many ? queryLetter(i) : "") : [])),
    [ranges, many],
  );
  const exemplars = useMemo(
    () => exemplarReplies.flatMap((r, i) => (r.data ? exemplarsFromData(r.data.data, many ? queryLetter(i) : "") : [])),
    [exemplarReplies, many],
  );
  const warnings = ranges.flatMap((r) => r.data?.warnings ?? []);
  const loading = ranges.some((r) => r.loading);
  const errors = ranges.map((r) => r.error);
  return (
    <div className="metrics-result" data-testid="metrics-graph" data-state={state.tab}>
      <QueryErrors errors={errors} />
      {warnings.length > 0 && <div className="warnings">{warnings.join("; ")}</div>}
      <div className="result-meta muted" data-testid="graph-meta">
        {loading ? "Loading…" : `${series.length} series · step ${formatStep(step)}${exemplars.length ? ` · ${exemplars.length} exemplars` : ""}`}
      </div>
      {!loading && series.length === 0 && errors.every((e) => !e) && <p className="empty-state">No data in this time range.</p>}
      {series.length > 0 && (
        <Suspense fallback={<div className="loading">Loading chart…</div>}>
          <TimeSeriesChart series={series} exemplars={exemplars} startSec={startSec} endSec={endSec}
            onZoom={(from, to) => setRange({ from: String(from), to: String(to) })} />
        </Suspense>
      )}
    </div>
  );
}

function QueryErrors({ errors }: { errors: (string | null)[] }) {
  return (
    <>
      {errors.map((error, index) => error && <ErrorBanner key={index} title={`Query ${queryLetter(index)}`} message={error} />)}
    </>
  );
}

function Table({ queries, time }: { queries: string[]; time: number }) {
  const { tick } = useTime();
  const replies = useApiAll<PromResponse>(queries.map((q) => (q ? instantQueryUrl(q, time) : null)), tick);
  return (
    <div className="metrics-result" data-testid="metrics-table">
      <QueryErrors errors={replies.map((r) => r.error)} />
      {replies.map((reply, index) =>
        reply.data ? <InstantTable key={index} letter={queries.length > 1 ? queryLetter(index) : ""} data={reply.data.data as PromData} time={time} /> : reply.loading ? <div key={index} className="loading">Loading…</div> : null,
      )}
    </div>
  );
}

export default function MetricsPage() {
  const { params } = useLocation();
  const { range, refreshNow } = useTime();
  const state = readMetricsState(params);
  const queries = state.queries.map((q) => q.trim());
  const window = usePinnedRange(`${queries.join("\n")}|${state.tab}|${state.step}`);
  const [box, width] = useElementWidth();
  const startSec = Math.floor(window.startUs / 1e6);
  const endSec = Math.ceil(window.endUs / 1e6);
  const auto = autoStep(endSec - startSec, width);
  const { step, problem } = resolveStep(state.step, auto);
  const run = (next: MetricsState) => {
    navigate(metricsHref(next, rangeParams(range)));
    refreshNow();
  };
  const ran = queries.some(Boolean);

  return (
    <div className="metrics-page" data-testid="page-metrics" ref={box}>
      <QueryForm key={JSON.stringify(state)} initial={state} autoStepSec={auto} onRun={run} />
      {problem && <ErrorBanner title="Step" message={problem} />}
      {!ran && <p className="empty-state">Type a PromQL query and press Enter. Start typing a metric name for suggestions.</p>}
      {ran && !problem && state.tab === "graph" && <Graph state={state} queries={queries} startSec={startSec} endSec={endSec} step={step} />}
      {ran && state.tab === "table" && <Table queries={queries} time={endSec} />}
    </div>
  );
}
