// The Metrics explorer's state in the URL (at /explore): queries (`q`, repeated, A, B, …), graph or table, step.
import { buildHref, type ParamValues } from "../lib/router";
import { parseStep } from "../lib/steps";

export type Tab = "graph" | "table";

export interface MetricsState {
  queries: string[];
  tab: Tab;
  /** Empty for a step chosen from the range and the chart's width. */
  step: string;
}

export const MAX_QUERIES = 8;

/**
 * The explorer's path. Not `/metrics`: the server answers that path with its own Prometheus exposition, and
 * every path starting with it is API, so a reload or a bookmark would never reach the UI.
 */
export const EXPLORE_PATH = "/explore";

export function queryLetter(index: number): string {
  return String.fromCharCode(65 + index);
}

export function readMetricsState(params: URLSearchParams): MetricsState {
  const queries = params.getAll("q").slice(0, MAX_QUERIES);
  return {
    queries: queries.length > 0 ? queries : [""],
    tab: params.get("tab") === "table" ? "table" : "graph",
    step: params.get("step") ?? "",
  };
}

/** `/explore?q=…&q=…&tab=table&step=30s` plus the range parameters. */
export function metricsHref(state: MetricsState, range: ParamValues): string {
  const base = buildHref(EXPLORE_PATH, { ...range, tab: state.tab === "graph" ? null : state.tab, step: state.step.trim() });
  const url = new URL(base, "http://x");
  for (const query of state.queries) if (query.trim()) url.searchParams.append("q", query.trim());
  return url.pathname + url.search;
}

/** The step in seconds: typed, or chosen for the range; with the reason when a typed one is unreadable. */
export function resolveStep(typed: string, auto: number): { step: number; problem: string | null } {
  if (!typed.trim()) return { step: auto, problem: null };
  try {
    return { step: parseStep(typed), problem: null };
  } catch (error) {
    return { step: auto, problem: (error as Error).message };
  }
}
