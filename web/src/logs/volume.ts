// The volume histogram's data: lines per level per time bucket, from a `sum by (level) (count_over_time)` matrix.
import type { MatrixSeries } from "./loki";
import { LEVELS, levelFromLabels, type Level } from "./severity";

export interface Volume {
  /** Bucket start times in seconds, `step` apart. */
  times: number[];
  step: number;
  counts: Record<Level, number[]>;
  /** The levels that have lines, in LEVELS order (what the legend lists). */
  levels: Level[];
  max: number;
}

/** Buckets aligned to `step` covering [startSec, endSec]. */
export function bucketTimes(startSec: number, endSec: number, step: number): number[] {
  const first = Math.floor(startSec / step) * step;
  const times: number[] = [];
  for (let t = first; t <= endSec; t += step) times.push(t);
  return times;
}

/** Sums every series into its level's buckets; a point at time t counts the `step` before it. */
export function volumeFromMatrix(series: MatrixSeries[], startSec: number, endSec: number, step: number): Volume {
  const times = bucketTimes(startSec, endSec, step);
  const counts = Object.fromEntries(LEVELS.map((level) => [level, times.map(() => 0)])) as Record<Level, number[]>;
  const first = times[0] ?? 0;
  for (const { metric, values } of series) {
    const row = counts[levelFromLabels(metric)];
    for (const [t, text] of values) {
      const index = Math.ceil((t - first) / step) - 1;
      const count = Number(text);
      if (index >= 0 && index < times.length && Number.isFinite(count)) row[index] += count;
    }
  }
  const totals = times.map((_, i) => LEVELS.reduce((sum, level) => sum + counts[level][i], 0));
  return {
    times,
    step,
    counts,
    levels: LEVELS.filter((level) => counts[level].some((n) => n > 0)),
    max: Math.max(0, ...totals),
  };
}

/** The time under a horizontal pixel of a chart spanning [startSec, endSec] over `width` pixels. */
export function timeAtX(x: number, width: number, startSec: number, endSec: number): number {
  const fraction = Math.min(1, Math.max(0, width > 0 ? x / width : 0));
  return startSec + fraction * (endSec - startSec);
}
