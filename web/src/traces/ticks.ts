// Ticks for the waterfall's time axis: round steps (1, 2, 5 × 10^n µs) across the trace's duration.
import { formatDuration } from "../lib/durations";

export interface Tick {
  offset: number;
  /** Position along the axis, 0 at the trace start and 1 at its end. */
  fraction: number;
  label: string;
}

export function niceStep(rough: number): number {
  if (!(rough > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough);
  return step ?? 10 * magnitude;
}

/** About `target` ticks from 0 to `duration` (µs), always starting with 0. */
export function timeTicks(duration: number, target = 5): Tick[] {
  if (!(duration > 0)) return [{ offset: 0, fraction: 0, label: "0" }];
  const step = niceStep(duration / target);
  const ticks: Tick[] = [];
  for (let i = 0; i * step <= duration * (1 + 1e-9); i++) {
    const offset = i * step;
    ticks.push({ offset, fraction: offset / duration, label: offset === 0 ? "0" : formatDuration(offset) });
  }
  return ticks;
}
