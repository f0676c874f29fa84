// Query resolution: steps that read well (15s, 1m, 5m…), chosen from the range and the chart's width.

const NICE_SECONDS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
];

/** Prometheus refuses range queries with more than 11,000 points per series. */
export const MAX_POINTS = 11_000;

/** The smallest nice step at least `seconds` long. */
export function niceStep(seconds: number): number {
  return NICE_SECONDS.find((step) => step >= seconds) ?? Math.ceil(seconds / 86400) * 86400;
}

/** A step giving about one point per `pixelsPerPoint` pixels of chart, never over MAX_POINTS points. */
export function autoStep(rangeSeconds: number, widthPx: number, pixelsPerPoint = 3): number {
  const points = Math.max(10, Math.floor(Math.max(widthPx, 100) / pixelsPerPoint));
  const raw = Math.max(rangeSeconds / points, rangeSeconds / MAX_POINTS, 1);
  return niceStep(raw);
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
const STEP = /^(?:(\d+(?:\.\d+)?)|((?:\d+(?:ms|s|m|h|d|w|y))+))$/;

/** Seconds for a step typed as `30`, `15s`, `1m30s` or `250ms`; throws an Error saying what is wrong. */
export function parseStep(text: string): number {
  const source = text.trim();
  const match = STEP.exec(source);
  if (!match) throw new Error(`invalid step '${text}': use seconds (30) or a duration (15s, 1m, 1h)`);
  if (match[1] !== undefined) return Number(match[1]);
  let total = 0;
  for (const part of source.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(part[1]) * UNIT_SECONDS[part[2]];
  if (total <= 0) throw new Error(`invalid step '${text}': must be more than zero`);
  return total;
}

/** `90` → "1m30s", `0.5` → "500ms": the way Prometheus writes durations. */
export function formatStep(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  let rest = Math.round(seconds);
  let text = "";
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]] as const) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return text;
}
