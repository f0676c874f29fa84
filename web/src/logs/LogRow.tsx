// One log line: level marker, time, service and text; expanded, every label and field with copy buttons.
import { useLayoutEffect, useRef } from "react";
import { CopyButton } from "../lib/CopyButton";
import { Link } from "../lib/router";
import { formatDateTimeMs } from "../lib/timestamps";
import { useTime } from "../shell/time";
import type { LogLine } from "./loki";
import { SERVICE_LABEL } from "./logql";
import { splitAroundId } from "./traceIds";

export const ROW_HEIGHT = 22;
const FIELD_HEIGHT = 22;
const DETAIL_CHROME = 72;
const BODY_LINE = 16;
const MAX_BODY_LINES = 12;

/** A first guess at an expanded row's height, until it is measured. */
export function expandedHeight(line: LogLine): number {
  const fields = Object.keys(line.labels).length + Object.keys(line.metadata).length + (line.traceId ? 1 : 0);
  const bodyLines = Math.min(MAX_BODY_LINES, line.line.split("\n").length + Math.floor(line.line.length / 160));
  return ROW_HEIGHT + DETAIL_CHROME + bodyLines * BODY_LINE + fields * FIELD_HEIGHT;
}

function TraceLink({ traceId, children }: { traceId: string; children: React.ReactNode }) {
  const { hrefWithRange } = useTime();
  return (
    <Link className="trace-link" href={hrefWithRange(`/traces/${traceId}`)} data-testid="log-trace-link" data-trace-id={traceId}
      onClick={(event) => event.stopPropagation()}>
      {children}
    </Link>
  );
}

/** The text with its trace id drawn as a link to the trace. */
export function LineText({ line }: { line: LogLine }) {
  if (!line.traceId) return <>{line.line}</>;
  const parts = splitAroundId(line.line, line.traceId);
  return (
    <>
      {parts.map((part, index) => (index % 2 === 1 ? <TraceLink key={index} traceId={line.traceId as string}>{part}</TraceLink> : part))}
    </>
  );
}

function FieldRows({ title, fields }: { title: string; fields: Record<string, string> }) {
  const names = Object.keys(fields).sort();
  if (names.length === 0) return null;
  return (
    <>
      <tr className="field-group">
        <th colSpan={3}>{title}</th>
      </tr>
      {names.map((name) => (
        <tr key={`${title}:${name}`} data-testid="log-field" data-field={name}>
          <th>{name}</th>
          <td className="field-value">{fields[name]}</td>
          <td className="field-actions">
            <CopyButton text={fields[name]} testId="copy-field" />
          </td>
        </tr>
      ))}
    </>
  );
}

function LineDetail({ line }: { line: LogLine }) {
  return (
    <div className="log-detail" data-testid="log-detail" onClick={(event) => event.stopPropagation()}>
      <div className="log-detail-actions">
        <CopyButton text={line.line} label="Copy line" testId="copy-line" />
        <span className="muted">{line.ns} ns</span>
      </div>
      <pre className="log-body" data-testid="log-body">
        <LineText line={line} />
      </pre>
      <table className="kv-table log-fields">
        <tbody>
          {line.traceId && (
            <tr data-testid="log-field" data-field="trace">
              <th>trace</th>
              <td className="field-value">
                <TraceLink traceId={line.traceId}>{line.traceId}</TraceLink>
              </td>
              <td className="field-actions">
                <CopyButton text={line.traceId} testId="copy-field" />
              </td>
            </tr>
          )}
          <FieldRows title="Stream labels" fields={line.labels} />
          <FieldRows title="Fields" fields={line.metadata} />
        </tbody>
      </table>
    </div>
  );
}

interface RowProps {
  line: LogLine;
  expanded: boolean;
  onToggle: (id: string) => void;
  onContext?: (id: string) => void;
  highlight?: boolean;
  /** Told the expanded row's real height, so a virtual list can place the rows after it. */
  onMeasure?: (id: string, height: number) => void;
}

function useMeasure(id: string, active: boolean, onMeasure?: (id: string, height: number) => void) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!active || !element || !onMeasure) return;
    const report = () => element.offsetHeight > 0 && onMeasure(id, element.offsetHeight);
    report();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(report);
    observer.observe(element);
    return () => observer.disconnect();
  }, [id, active, onMeasure]);
  return ref;
}

export function LogRow({ line, expanded, onToggle, onContext, highlight, onMeasure }: RowProps) {
  const textHasId = line.traceId !== null && line.line.toLowerCase().includes(line.traceId);
  const ref = useMeasure(line.id, expanded, onMeasure);
  return (
    <div
      ref={ref}
      className={`log-row level-${line.level}${expanded ? " expanded" : ""}${highlight ? " hit" : ""}`}
      data-testid="log-row"
      data-line-id={line.id}
      data-level={line.level}
      aria-expanded={expanded}
    >
      <div className="log-summary" role="button" tabIndex={0} aria-expanded={expanded}
        onClick={() => onToggle(line.id)} onKeyDown={(event) => (event.key === "Enter" || event.key === " ") && event.target === event.currentTarget && (event.preventDefault(), onToggle(line.id))}>
        <span className="level-marker" title={line.level} />
        <span className="log-time">{formatDateTimeMs(line.ms)}</span>
        <span className="log-service" title={line.labels[SERVICE_LABEL]}>{line.labels[SERVICE_LABEL] ?? ""}</span>
        <span className="log-text" data-testid="log-text">
          <LineText line={line} />
        </span>
        {line.traceId && !textHasId && <TraceLink traceId={line.traceId}>trace</TraceLink>}
        {onContext && (
          <button type="button" className="row-action" data-testid="show-context" title="Lines before and after this one in its stream"
            onClick={(event) => {
              event.stopPropagation();
              onContext(line.id);
            }}>
            context
          </button>
        )}
      </div>
      {expanded && <LineDetail line={line} />}
    </div>
  );
}
