// The trace's summary line: root span, start, duration, size, services and errors.
import { formatDuration } from "../lib/durations";
import { formatDateTimeUs } from "../lib/timestamps";
import { serviceColor } from "./colors";
import type { TraceModel } from "./model";

function Stat({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <span className="stat-label">{label}</span>
      <span className="stat-value">{children}</span>
    </div>
  );
}

export function TraceHeader({ model }: { model: TraceModel }) {
  const root = model.root;
  const depth = model.spans.reduce((max, span) => Math.max(max, span.depth), 0) + 1;
  return (
    <div className="trace-header" data-testid="trace-header">
      <h1>
        <span className="root-service">{root?.service}</span>
        <span className="root-name">{root?.name}</span>
        <code className="trace-id" data-testid="trace-id">{model.traceId}</code>
      </h1>
      <div className="stats">
        <Stat label="Start">{formatDateTimeUs(model.start)}</Stat>
        <Stat label="Duration">{formatDuration(model.end - model.start)}</Stat>
        <Stat label="Spans" testId="trace-span-count">{model.spans.length}</Stat>
        <Stat label="Depth">{depth}</Stat>
        <Stat label="Services">
          {model.services.map((service, index) => (
            <span key={service} className="chip">
              <span className="service-swatch" style={{ background: serviceColor(index) }} />
              {service}
            </span>
          ))}
        </Stat>
        <Stat label="Errors" testId="trace-error-count">
          <span className={model.errorCount > 0 ? "status-error" : undefined}>{model.errorCount}</span>
        </Stat>
      </div>
      {model.warnings.length > 0 && <div className="warnings">{model.warnings.join("; ")}</div>}
    </div>
  );
}
