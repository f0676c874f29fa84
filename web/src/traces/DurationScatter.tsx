// Durations of the results over time; a dot opens its trace.
import type { TraceSummary } from "../api/types";
import { formatDuration } from "../lib/durations";
import { navigate } from "../lib/router";
import { formatDateTimeUs } from "../lib/timestamps";
import { useTime } from "../shell/time";

const WIDTH = 1000;
const HEIGHT = 120;
const PAD = { left: 56, right: 12, top: 10, bottom: 22 };

function scale(value: number, min: number, max: number, from: number, to: number): number {
  return max > min ? from + ((value - min) / (max - min)) * (to - from) : (from + to) / 2;
}

export function DurationScatter({ traces }: { traces: TraceSummary[] }) {
  const { hrefWithRange } = useTime();
  const times = traces.map((t) => t.startTime);
  const first = Math.min(...times);
  const last = Math.max(...times);
  const slowest = Math.max(...traces.map((t) => t.duration));
  const x = (us: number) => scale(us, first, last, PAD.left, WIDTH - PAD.right);
  const y = (us: number) => scale(us, 0, slowest, HEIGHT - PAD.bottom, PAD.top);

  return (
    <svg className="duration-scatter" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} data-testid="duration-scatter">
      <line className="axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={HEIGHT - PAD.bottom} y2={HEIGHT - PAD.bottom} />
      <text className="axis-label" x={PAD.left - 6} y={PAD.top + 8} textAnchor="end">{formatDuration(slowest)}</text>
      <text className="axis-label" x={PAD.left - 6} y={HEIGHT - PAD.bottom} textAnchor="end">0</text>
      <text className="axis-label" x={PAD.left} y={HEIGHT - 6}>{formatDateTimeUs(first)}</text>
      <text className="axis-label" x={WIDTH - PAD.right} y={HEIGHT - 6} textAnchor="end">{formatDateTimeUs(last)}</text>
      {traces.map((trace) => (
        <circle
          key={trace.traceID}
          className={trace.errorCount > 0 ? "dot error" : "dot"}
          cx={x(trace.startTime)}
          cy={y(trace.duration)}
          r={4}
          onClick={() => navigate(hrefWithRange(`/traces/${trace.traceID}`))}
        >
          <title>{`${trace.rootService}: ${trace.rootName} · ${formatDuration(trace.duration)}`}</title>
        </circle>
      ))}
    </svg>
  );
}
