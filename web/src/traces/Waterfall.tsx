// The trace waterfall: a span tree on the left, bars on a shared time axis on the right, virtualised.
import { memo, type CSSProperties } from "react";
import { formatDuration } from "../lib/durations";
import { VirtualList } from "../lib/VirtualList";
import { serviceColor } from "./colors";
import type { SpanNode, TraceModel } from "./model";
import { timeTicks, type Tick } from "./ticks";

export const ROW_HEIGHT = 26;
const MAX_INDENT_LEVELS = 40;

interface RowProps {
  span: SpanNode;
  traceStart: number;
  traceDuration: number;
  selected: boolean;
  collapsed: boolean;
  onSelect: (id: string) => void;
  onToggle: (id: string) => void;
}

/** After the bar when there is room, else before it, else inside its right end. */
function labelPosition(left: number, width: number): CSSProperties {
  if (left + width < 0.75) return { left: `calc(${(left + width) * 100}% + 6px)` };
  if (left > 0.25) return { right: `calc(${(1 - left) * 100}% + 6px)` };
  return { right: `calc(${(1 - left - width) * 100}% + 6px)` };
}

function Bar({ span, traceStart, traceDuration }: Pick<RowProps, "span" | "traceStart" | "traceDuration">) {
  const left = traceDuration > 0 ? (span.start - traceStart) / traceDuration : 0;
  const width = traceDuration > 0 ? span.duration / traceDuration : 1;
  const style: CSSProperties = {
    left: `${left * 100}%`,
    width: `max(${width * 100}%, 2px)`,
    background: serviceColor(span.serviceIndex),
  };
  return (
    <div className="span-bar-cell">
      <div className={span.isError ? "span-bar error" : "span-bar"} style={style} data-testid="span-bar" />
      <span className={left + width < 0.75 || left > 0.25 ? "span-bar-label" : "span-bar-label inside"} style={labelPosition(left, width)}>
        {formatDuration(span.duration)}
      </span>
    </div>
  );
}

const SpanRow = memo(function SpanRow({ span, traceStart, traceDuration, selected, collapsed, onSelect, onToggle }: RowProps) {
  const hasChildren = span.children.length > 0;
  return (
    <div
      className={`span-row${selected ? " selected" : ""}${span.isError ? " error" : ""}`}
      onClick={() => onSelect(span.id)}
      data-testid="span-row"
      data-span-name={span.name}
      data-span-id={span.id}
      data-service={span.service}
      data-depth={span.depth}
      data-error={span.isError ? "true" : "false"}
    >
      <div className="span-name-cell" style={{ paddingLeft: 6 + Math.min(span.depth, MAX_INDENT_LEVELS) * 14 }}>
        {hasChildren ? (
          <button
            type="button"
            className="caret"
            aria-expanded={!collapsed}
            aria-label={collapsed ? "Expand" : "Collapse"}
            data-testid="span-toggle"
            onClick={(event) => {
              event.stopPropagation();
              onToggle(span.id);
            }}
          >
            {collapsed ? "▸" : "▾"}
          </button>
        ) : (
          <span className="caret-space" />
        )}
        <span className="service-swatch" style={{ background: serviceColor(span.serviceIndex) }} />
        <span className="span-service">{span.service}</span>
        <span className="span-op" title={span.name}>
          {span.name}
        </span>
        {collapsed && hasChildren && <span className="hidden-count">+{span.children.length}</span>}
        {span.isError && (
          <span className="error-marker" title="Error" data-testid="span-error-marker">
            !
          </span>
        )}
      </div>
      <Bar span={span} traceStart={traceStart} traceDuration={traceDuration} />
    </div>
  );
});

function tickLeft(tick: Tick): string {
  return `calc(var(--name-width) + (100% - var(--name-width)) * ${tick.fraction})`;
}

function TimeAxis({ ticks }: { ticks: Tick[] }) {
  return (
    <div className="waterfall-header" data-testid="time-axis">
      <div className="axis-name">Service &amp; operation</div>
      {ticks.map((tick) => (
        <span key={tick.offset} className={tick.fraction > 0.94 ? "axis-tick end" : "axis-tick"} style={{ left: tickLeft(tick) }}>
          {tick.label}
        </span>
      ))}
    </div>
  );
}

interface WaterfallProps {
  model: TraceModel;
  rows: SpanNode[];
  selectedId: string | null;
  isCollapsed: (id: string) => boolean;
  onSelect: (id: string) => void;
  onToggle: (id: string) => void;
}

export function Waterfall({ model, rows, selectedId, isCollapsed, onSelect, onToggle }: WaterfallProps) {
  const duration = model.end - model.start;
  const ticks = timeTicks(duration);
  const selectedIndex = selectedId ? rows.findIndex((row) => row.id === selectedId) : -1;
  return (
    <div className="waterfall" data-testid="waterfall">
      <TimeAxis ticks={ticks} />
      <VirtualList
        className="waterfall-body"
        items={rows}
        rowHeight={ROW_HEIGHT}
        rowKey={(span) => span.id}
        scrollToIndex={selectedIndex}
        renderRow={(span) => (
          <SpanRow
            span={span}
            traceStart={model.start}
            traceDuration={duration}
            selected={span.id === selectedId}
            collapsed={isCollapsed(span.id)}
            onSelect={onSelect}
            onToggle={onToggle}
          />
        )}
      >
        {ticks.map((tick) => (
          <div key={tick.offset} className="grid-line" style={{ left: tickLeft(tick) }} />
        ))}
      </VirtualList>
    </div>
  );
}
