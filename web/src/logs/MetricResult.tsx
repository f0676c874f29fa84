// A LogQL metric query (rate, count_over_time, sum by …) drawn as a chart, like the Metrics explorer.
import { lazy, Suspense, useMemo } from "react";
import { useApi } from "../api/useApi";
import { autoStep, formatStep } from "../lib/steps";
import type { ResolvedRange } from "../lib/timeRange";
import { seriesFromData, type PromData } from "../metrics/prometheus";
import { ErrorBanner } from "../shell/ErrorBanner";
import { useTime } from "../shell/time";
import { queryRangeUrl, usToNs } from "./loki";

const TimeSeriesChart = lazy(() => import("../metrics/TimeSeriesChart"));

export default function MetricResult({ query, window }: { query: string; window: ResolvedRange }) {
  const { setRange, tick } = useTime();
  const startSec = window.startUs / 1e6;
  const endSec = window.endUs / 1e6;
  const step = autoStep(endSec - startSec, 1000);
  const { data, error } = useApi<{ status: string; data: PromData }>(
    queryRangeUrl({ query, startNs: usToNs(window.startUs), endNs: usToNs(window.endUs), step }),
    tick,
  );
  const series = useMemo(() => (data ? seriesFromData(data.data) : []), [data]);
  if (error) return <ErrorBanner title="Query failed" message={error} />;
  if (!data) return <div className="loading">Running the metric query…</div>;
  return (
    <div className="metrics-result" data-testid="logs-metric-result">
      <div className="result-meta muted">{series.length} series · step {formatStep(step)} · a metric query: its values over time</div>
      {series.length === 0 ? (
        <p className="empty-state">No data in this time range.</p>
      ) : (
        <Suspense fallback={<div className="loading">Loading chart…</div>}>
          <TimeSeriesChart series={series} startSec={startSec} endSec={endSec} onZoom={(from, to) => setRange({ from: String(from), to: String(to) })} />
        </Suspense>
      )}
    </div>
  );
}
