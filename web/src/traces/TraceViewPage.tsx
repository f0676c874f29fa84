// One trace at /traces/<id>: header, waterfall and the selected span; selection and folds live in the URL.
import { useCallback, useMemo } from "react";
import type { Envelope, JaegerTrace } from "../api/types";
import { useApi } from "../api/useApi";
import { buildHref, Link, navigate, updateParams, useLocation, type ParamValues } from "../lib/router";
import { ErrorBanner } from "../shell/ErrorBanner";
import { useTime } from "../shell/time";
import { allParams, isCollapsed, readCollapse, toggleParams } from "./collapse";
import { buildTraceModel, visibleSpans, type TraceModel } from "./model";
import { SpanDetail } from "./SpanDetail";
import { TraceHeader } from "./TraceHeader";
import { Waterfall } from "./Waterfall";

// Logs are written around their spans, not always inside them.
const LOG_WINDOW_PAD_MS = 1000;

export function logsHref(model: TraceModel): string {
  return buildHref("/logs", {
    traceId: model.traceId,
    from: Math.floor(model.start / 1000) - LOG_WINDOW_PAD_MS,
    to: Math.ceil(model.end / 1000) + LOG_WINDOW_PAD_MS,
  });
}

function useUrlState() {
  const { pathname, params } = useLocation();
  const search = params.toString();
  const update = useCallback(
    (changes: ParamValues) => {
      const query = updateParams(new URLSearchParams(search), changes).toString();
      navigate(query ? `${pathname}?${query}` : pathname, { replace: true });
    },
    [pathname, search],
  );
  return { pathname, params, update };
}

function TraceView({ model }: { model: TraceModel }) {
  const { params, update } = useUrlState();
  const collapse = useMemo(() => readCollapse(params), [params.get("collapse"), params.get("toggled")]);
  const folded = useCallback((id: string) => isCollapsed(collapse, id), [collapse]);
  const rows = useMemo(() => visibleSpans(model, folded), [model, folded]);
  const selected = model.byId.get(params.get("span") ?? "") ?? null;
  const select = useCallback((id: string) => update({ span: id }), [update]);
  const toggle = useCallback((id: string) => update(toggleParams(collapse, id)), [update, collapse]);

  return (
    <div className="trace-view">
      <TraceHeader model={model} />
      <div className="trace-toolbar">
        <button type="button" onClick={() => update(allParams(false))} data-testid="expand-all">
          Expand all
        </button>
        <button type="button" onClick={() => update(allParams(true))} data-testid="collapse-all">
          Collapse all
        </button>
        <span className="muted">
          {rows.length} of {model.spans.length} spans shown
        </span>
        <span className="spacer" />
        <Link href={logsHref(model)} data-testid="logs-link">
          Logs for this trace →
        </Link>
      </div>
      <div className={selected ? "trace-body with-detail" : "trace-body"}>
        <Waterfall model={model} rows={rows} selectedId={selected?.id ?? null} isCollapsed={folded} onSelect={select} onToggle={toggle} />
        {selected && <SpanDetail span={selected} model={model} onSelect={select} onClose={() => update({ span: null })} />}
      </div>
    </div>
  );
}

export default function TraceViewPage() {
  const { pathname } = useLocation();
  const { tick } = useTime();
  const traceId = decodeURIComponent(pathname.slice("/traces/".length).replace(/\/+$/, ""));
  const { data, error } = useApi<Envelope<JaegerTrace[] | null>>(`/api/traces/${encodeURIComponent(traceId)}`, tick);
  const trace = data?.data?.[0];
  const model = useMemo(() => (trace ? buildTraceModel(trace) : null), [trace]);

  if (error) return <ErrorBanner title={`Trace ${traceId}`} message={error} />;
  if (!data) return <div className="loading">Loading trace {traceId}…</div>;
  if (!model || model.spans.length === 0) return <ErrorBanner title={`Trace ${traceId}`} message="trace not found" />;
  return <TraceView model={model} />;
}
