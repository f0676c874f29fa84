// The global time range as it lives in the URL: `from`/`to` are `now`, `now-15m` or epoch milliseconds,
// `refresh` is off/5s/30s/1m. Resolving turns it into microseconds for the trace APIs.

export interface TimeRange {
  from: string;
  to: string;
  refresh: string;
}

export interface ResolvedRange {
  startUs: number;
  endUs: number;
}

export const PRESETS = [
  { span: "5m", label: "Last 5 minutes" },
  { span: "15m", label: "Last 15 minutes" },
  { span: "1h", label: "Last 1 hour" },
  { span: "6h", label: "Last 6 hours" },
  { span: "24h", label: "Last 24 hours" },
  { span: "7d", label: "Last 7 days" },
] as const;

export const REFRESH_CHOICES = [
  { value: "off", label: "Off", ms: null },
  { value: "5s", label: "5s", ms: 5_000 },
  { value: "30s", label: "30s", ms: 30_000 },
  { value: "1m", label: "1m", ms: 60_000 },
] as const;

export const DEFAULT_RANGE: TimeRange = { from: "now-1h", to: "now", refresh: "off" };

/** The URL parameters that carry the range from page to page. */
export const RANGE_PARAMS = ["from", "to", "refresh"] as const;

const UNIT_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };
const RELATIVE = /^now(?:-(\d+)([smhdw]))?$/;

/** Milliseconds since the epoch for `now`, `now-<n><unit>` or a number of milliseconds. */
export function resolveTimePoint(text: string, nowMs: number): number {
  const relative = RELATIVE.exec(text);
  if (relative) return relative[1] ? nowMs - Number(relative[1]) * UNIT_MS[relative[2]] : nowMs;
  if (/^\d+$/.test(text)) return Number(text);
  throw new Error(`invalid time '${text}': use now, now-15m or milliseconds since the epoch`);
}

export function resolveRange(range: TimeRange, nowMs: number): ResolvedRange {
  return {
    startUs: resolveTimePoint(range.from, nowMs) * 1000,
    endUs: resolveTimePoint(range.to, nowMs) * 1000,
  };
}

function isValidPoint(text: string | null): text is string {
  return text !== null && (RELATIVE.test(text) || /^\d+$/.test(text));
}

/** The range in the URL, falling back to the default for anything missing or malformed. */
export function readRange(params: URLSearchParams): TimeRange {
  const from = params.get("from");
  const to = params.get("to");
  const refresh = params.get("refresh");
  const valid = isValidPoint(from) && isValidPoint(to);
  return {
    from: valid ? from : DEFAULT_RANGE.from,
    to: valid ? to : DEFAULT_RANGE.to,
    refresh: REFRESH_CHOICES.some((c) => c.value === refresh) ? (refresh as string) : DEFAULT_RANGE.refresh,
  };
}

export function refreshIntervalMs(refresh: string): number | null {
  return REFRESH_CHOICES.find((c) => c.value === refresh)?.ms ?? null;
}

/** A preset's range, e.g. `presetRange("15m")` is now-15m → now. */
export function presetRange(span: string): Pick<TimeRange, "from" | "to"> {
  return { from: `now-${span}`, to: "now" };
}

/** Text for the picker button: a preset's label or the start and end as `formatMs` writes them. */
export function describeRange(range: TimeRange, formatMs: (ms: number) => string): string {
  const preset = PRESETS.find((p) => range.to === "now" && range.from === `now-${p.span}`);
  if (preset) return preset.label;
  const side = (text: string) => (/^\d+$/.test(text) ? formatMs(Number(text)) : text);
  const [from, to] = [side(range.from), side(range.to)];
  // "2024-01-02 03:04:05 → 05:04:05" when both ends fall on the same day.
  const sameDay = /^\d{4}-\d\d-\d\d /.test(from) && from.slice(0, 11) === to.slice(0, 11);
  return `${from} → ${sameDay ? to.slice(11) : to}`;
}
