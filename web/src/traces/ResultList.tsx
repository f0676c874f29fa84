// Search results: one row per trace, with a duration bar scaled to the slowest result.
import type { TraceSummary } from "../api/types";
import { formatDuration } from "../lib/durations";
import { Link } from "../lib/router";
import { formatDateTimeUs } from "../lib/timestamps";
import { useTime } from "../shell/time";

function TraceRow({ trace, slowest }: { trace: TraceSummary; slowest: number }) {
  const { hrefWithRange } = useTime();
  const width = slowest > 0 ? Math.max(0.5, (trace.duration / slowest) * 100) : 0;
  return (
    <Link
      className={`trace-row${trace.errorCount > 0 ? " has-error" : ""}`}
      href={hrefWithRange(`/traces/${trace.traceID}`)}
      data-testid="trace-row"
      data-trace-id={trace.traceID}
    >
      <div className="trace-row-title">
        <span className="root-service">{trace.rootService}</span>
        <span className="root-name">{trace.rootName}</span>
        <span className="trace-id">{trace.traceID.slice(0, 8)}</span>
      </div>
      <div className="trace-row-duration">
        <div className="duration-track">
          <div className="duration-bar" style={{ width: `${width}%` }} />
        </div>
        <span className="duration-label">{formatDuration(trace.duration)}</span>
      </div>
      <div className="trace-row-meta">
        <span>{trace.spanCount} spans</span>
        {trace.errorCount > 0 && (
          <span className="error-badge" data-testid="trace-error-count">
            {trace.errorCount} {trace.errorCount === 1 ? "error" : "errors"}
          </span>
        )}
        <span className="service-chips">
          {trace.services.map((service) => (
            <span key={service} className="chip">
              {service}
            </span>
          ))}
        </span>
      </div>
      <div className="trace-row-time">{formatDateTimeUs(trace.startTime)}</div>
    </Link>
  );
}

export function ResultList({ traces }: { traces: TraceSummary[] }) {
  const slowest = traces.reduce((max, t) => Math.max(max, t.duration), 0);
  return (
    <div className="result-list" data-testid="trace-results">
      {traces.map((trace) => (
        <TraceRow key={trace.traceID} trace={trace} slowest={slowest} />
      ))}
    </div>
  );
}
