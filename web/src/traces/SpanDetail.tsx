// The selected span: identity, timing, status, attributes, resource and events (exceptions with stacks).
import type { JaegerLog, JaegerTag, TagValue } from "../api/types";
import { formatDuration } from "../lib/durations";
import { formatDateTimeUs } from "../lib/timestamps";
import { serviceColor } from "./colors";
import type { SpanNode, TraceModel } from "./model";

function show(value: TagValue | undefined): string {
  return value === undefined ? "" : String(value);
}

function KeyValues({ tags, testId }: { tags: JaegerTag[]; testId: string }) {
  if (tags.length === 0) return <p className="muted">None</p>;
  return (
    <table className="kv-table" data-testid={testId}>
      <tbody>
        {tags.map((tag, index) => (
          <tr key={`${tag.key}-${index}`}>
            <th>{tag.key}</th>
            <td className={`value-${tag.type ?? "string"}`}>{show(tag.value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function field(log: JaegerLog, key: string): TagValue | undefined {
  return log.fields.find((f) => f.key === key)?.value;
}

const EXCEPTION_KEYS = new Set(["event", "exception.type", "exception.message", "exception.stacktrace"]);

function EventItem({ log, traceStart }: { log: JaegerLog; traceStart: number }) {
  const name = show(field(log, "event")) || "log";
  const isException = name === "exception" || field(log, "exception.type") !== undefined;
  const stack = show(field(log, "exception.stacktrace"));
  const rest = log.fields.filter((f) => !(isException ? EXCEPTION_KEYS.has(f.key) : f.key === "event"));
  return (
    <li className={isException ? "span-event exception" : "span-event"} data-testid={isException ? "exception-event" : "span-event"}>
      <div className="event-head">
        <span className="event-offset">+{formatDuration(log.timestamp - traceStart)}</span>
        <span className="event-name">{name}</span>
        <span className="muted">{formatDateTimeUs(log.timestamp)}</span>
      </div>
      {isException && (
        <div className="exception-summary">
          <span className="exception-type" data-testid="exception-type">{show(field(log, "exception.type"))}</span>
          <span className="exception-message" data-testid="exception-message">{show(field(log, "exception.message"))}</span>
        </div>
      )}
      {isException && stack && <pre className="stacktrace" data-testid="exception-stacktrace">{stack}</pre>}
      {rest.length > 0 && <KeyValues tags={rest} testId="event-fields" />}
    </li>
  );
}

interface Props {
  span: SpanNode;
  model: TraceModel;
  onSelect: (id: string) => void;
  onClose: () => void;
}

function Overview({ span, model, onSelect }: Omit<Props, "onClose">) {
  const parentInTrace = span.parentId !== null && model.byId.has(span.parentId);
  const rows: [string, React.ReactNode][] = [
    ["Service", span.service],
    ["Operation", span.name],
    ["Span ID", <code>{span.id}</code>],
    [
      "Parent",
      span.parentId === null ? (
        <span className="muted">none (root)</span>
      ) : parentInTrace ? (
        <button type="button" className="link-button" onClick={() => onSelect(span.parentId as string)}>
          {span.parentId}
        </button>
      ) : (
        <span>
          <code>{span.parentId}</code> <span className="muted">(not in this trace)</span>
        </span>
      ),
    ],
    ["Kind", span.kind || <span className="muted">unset</span>],
    [
      "Status",
      <span className={span.isError ? "status-error" : undefined} data-testid="span-status">
        {span.statusCode}
        {span.statusMessage && `: ${span.statusMessage}`}
      </span>,
    ],
    ["Start", `+${formatDuration(span.start - model.start)} (${formatDateTimeUs(span.start)})`],
    ["Duration", formatDuration(span.duration)],
  ];
  return (
    <table className="kv-table overview">
      <tbody>
        {rows.map(([label, value]) => (
          <tr key={label}>
            <th>{label}</th>
            <td>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SpanDetail({ span, model, onSelect, onClose }: Props) {
  return (
    <aside className="span-detail" data-testid="span-detail" data-span-id={span.id}>
      <header className="detail-head">
        <span className="service-swatch" style={{ background: serviceColor(span.serviceIndex) }} />
        <h2 title={span.name}>{span.name}</h2>
        <button type="button" className="close" onClick={onClose} aria-label="Close span detail">
          ×
        </button>
      </header>
      <Overview span={span} model={model} onSelect={onSelect} />
      <h3>Attributes</h3>
      <KeyValues tags={span.tags} testId="span-attributes" />
      <h3>Resource</h3>
      <KeyValues tags={span.resource} testId="span-resource" />
      <h3>Events ({span.logs.length})</h3>
      {span.logs.length === 0 ? (
        <p className="muted">None</p>
      ) : (
        <ul className="event-list">
          {span.logs.map((log, index) => (
            <EventItem key={index} log={log} traceStart={model.start} />
          ))}
        </ul>
      )}
    </aside>
  );
}
