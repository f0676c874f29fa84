// The Prometheus HTTP API as the Metrics explorer uses it: request URLs and replies turned into chart series.
import { buildHref } from "../lib/router";

export type LabelSet = Record<string, string>;
export type SamplePair = [number, string];

export type PromData =
  | { resultType: "matrix"; result: { metric: LabelSet; values: SamplePair[] }[] }
  | { resultType: "vector"; result: { metric: LabelSet; value: SamplePair }[] }
  | { resultType: "scalar"; result: SamplePair }
  | { resultType: "string"; result: SamplePair };

export interface PromResponse<T = PromData> {
  status: "success" | "error";
  data: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

export interface ExemplarGroup {
  seriesLabels: LabelSet;
  exemplars: { labels: LabelSet; value: string; timestamp: number }[];
}

export interface ChartSeries {
  /** Unique within a chart: the query's letter and the series' labels. */
  key: string;
  name: string;
  labels: LabelSet;
  /** [seconds, value]; values that are not finite (NaN, ±Inf) are left out. */
  points: [number, number][];
}

export interface Exemplar {
  t: number;
  value: number;
  traceId: string | null;
  labels: LabelSet;
  series: string;
}

export function rangeQueryUrl(query: string, startSec: number, endSec: number, stepSec: number): string {
  return buildHref("/api/v1/query_range", { query, start: startSec, end: endSec, step: stepSec });
}

export function instantQueryUrl(query: string, timeSec: number): string {
  return buildHref("/api/v1/query", { query, time: timeSec });
}

export function exemplarsUrl(query: string, startSec: number, endSec: number): string {
  return buildHref("/api/v1/query_exemplars", { query, start: startSec, end: endSec });
}

/** `/api/v1/labels`, `/api/v1/label/<name>/values`, scoped to one metric's series when one is named. */
export function labelNamesUrl(metric: string): string {
  return metric ? buildHref("/api/v1/labels", { "match[]": metric }) : "/api/v1/labels";
}

export function labelValuesUrl(label: string, metric: string): string {
  return buildHref(`/api/v1/label/${encodeURIComponent(label)}/values`, { "match[]": metric || null });
}

/** `name{a="1", b="2"}` as Prometheus writes a series. */
export function seriesName(labels: LabelSet): string {
  const { __name__: name = "", ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((key) => `${key}=${JSON.stringify(rest[key])}`);
  return pairs.length > 0 || !name ? `${name}{${pairs.join(", ")}}` : name;
}

function toNumber(text: string): number | null {
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** The series of a reply, named for the legend; `prefix` (the query's letter) keeps queries apart. */
export function seriesFromData(data: PromData, prefix = "", evalTime = 0): ChartSeries[] {
  const tag = (name: string) => (prefix ? `${prefix}: ${name}` : name);
  const finite = (pairs: SamplePair[]) =>
    pairs.flatMap(([t, v]): [number, number][] => {
      const value = toNumber(v);
      return value === null ? [] : [[Number(t), value]];
    });
  switch (data.resultType) {
    case "matrix":
      return data.result.map(({ metric, values }) => ({ key: tag(seriesName(metric)), name: tag(seriesName(metric)), labels: metric, points: finite(values) }));
    case "vector":
      return data.result.map(({ metric, value }) => ({ key: tag(seriesName(metric)), name: tag(seriesName(metric)), labels: metric, points: finite([value]) }));
    case "scalar":
      return [{ key: tag("scalar"), name: tag("scalar"), labels: {}, points: finite([data.result ?? [evalTime, "NaN"]]) }];
    default:
      return [];
  }
}

/** One x array (every time any series has) and one y array per series with null where it has none. */
export function alignSeries(series: ChartSeries[]): { xs: number[]; ys: (number | null)[][] } {
  const times = new Set<number>();
  for (const s of series) for (const [t] of s.points) times.add(t);
  const xs = [...times].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const row: (number | null)[] = new Array(xs.length).fill(null);
    for (const [t, v] of s.points) row[index.get(t) as number] = v;
    return row;
  });
  return { xs, ys };
}

const TRACE_KEYS = ["trace_id", "traceID", "traceId", "trace.id"];

/** Exemplars with a numeric value and time, each with its trace id when its labels carry one. */
export function exemplarsFromData(groups: ExemplarGroup[] | null, prefix = ""): Exemplar[] {
  const out: Exemplar[] = [];
  for (const group of groups ?? []) {
    const series = (prefix ? `${prefix}: ` : "") + seriesName(group.seriesLabels ?? {});
    for (const exemplar of group.exemplars ?? []) {
      const value = toNumber(String(exemplar.value));
      const labels = exemplar.labels ?? {};
      const traceId = TRACE_KEYS.map((key) => labels[key]).find((id) => typeof id === "string" && id !== "") ?? null;
      if (value !== null && Number.isFinite(Number(exemplar.timestamp))) out.push({ t: Number(exemplar.timestamp), value, traceId, labels, series });
    }
  }
  return out;
}

/** A value as a chart or table shows it: up to 4 significant decimals, k/M/G above a thousand. */
export function formatValue(value: number | null): string {
  if (value === null || Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  const abs = Math.abs(value);
  for (const [size, unit] of [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]] as const) {
    if (abs >= size) return `${Number((value / size).toPrecision(4))}${unit}`;
  }
  return abs === 0 ? "0" : String(Number(value.toPrecision(4)));
}

// PromQL functions and aggregations, offered beside metric names.
export const PROMQL_FUNCTIONS = [
  "abs", "absent", "absent_over_time", "avg", "avg_over_time", "bottomk", "ceil", "changes", "clamp", "clamp_max", "clamp_min",
  "count", "count_over_time", "count_values", "day_of_month", "day_of_week", "delta", "deriv", "exp", "floor", "group",
  "histogram_quantile", "holt_winters", "hour", "idelta", "increase", "irate", "label_join", "label_replace", "last_over_time",
  "ln", "log2", "log10", "max", "max_over_time", "min", "min_over_time", "minute", "month", "predict_linear", "quantile",
  "quantile_over_time", "rate", "resets", "round", "scalar", "sort", "sort_desc", "sqrt", "stddev", "stddev_over_time", "stdvar",
  "stdvar_over_time", "sum", "sum_over_time", "time", "timestamp", "topk", "vector", "year",
];
