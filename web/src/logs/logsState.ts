// The Logs page's state as it lives in the URL, and the LogQL it runs.
import type { ParamValues } from "../lib/router";
import { compileSimple, EMPTY_SIMPLE, traceQuery, type Parser, type SimpleQuery, type TraceMatch } from "./logql";
import type { Direction } from "./loki";

export type Mode = "simple" | "logql";
export type Live = "" | "on" | "paused";

export interface LogsState {
  mode: Mode;
  /** The LogQL typed in LogQL mode. */
  query: string;
  simple: SimpleQuery;
  limit: number;
  direction: Direction;
  live: Live;
  /** The expanded line's id. */
  line: string;
  /** The line whose context (lines around it in its stream) is open. */
  context: string;
  /** Set by the trace view's "Logs for this trace": find that trace's lines. */
  traceId: string;
  traceMatch: TraceMatch;
}

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 5000;

const PARSERS: Parser[] = ["", "json", "logfmt"];

function positive(text: string | null, fallback: number, max: number): number {
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? Math.min(value, max) : fallback;
}

export function readLogsState(params: URLSearchParams): LogsState {
  const get = (key: string) => params.get(key) ?? "";
  const parser = get("parser") as Parser;
  const live = get("live");
  const levels = get("level").split(",").map((l) => l.trim()).filter(Boolean);
  return {
    mode: params.get("mode") === "logql" || (params.has("query") && params.get("mode") !== "simple") || (params.has("traceId") && !params.has("mode")) ? "logql" : "simple",
    query: get("query"),
    simple: { ...EMPTY_SIMPLE, service: get("service"), levels, words: get("words"), fields: get("fields"), parser: PARSERS.includes(parser) ? parser : "" },
    limit: positive(params.get("limit"), DEFAULT_LIMIT, MAX_LIMIT),
    direction: params.get("dir") === "forward" ? "forward" : "backward",
    live: live === "on" || live === "paused" ? live : "",
    line: get("line"),
    context: get("context"),
    traceId: get("traceId").trim(),
    traceMatch: params.get("traceMatch") === "text" ? "text" : "metadata",
  };
}

/** Every page parameter for a state; defaults are left out. */
export function logsParams(state: LogsState): ParamValues {
  const simple = state.mode === "simple";
  return {
    mode: simple ? null : "logql",
    query: simple ? null : state.query,
    service: simple ? state.simple.service : null,
    level: simple ? state.simple.levels.join(",") : null,
    words: simple ? state.simple.words : null,
    fields: simple ? state.simple.fields : null,
    parser: simple ? state.simple.parser : null,
    limit: state.limit === DEFAULT_LIMIT ? null : state.limit,
    dir: state.direction === "backward" ? null : state.direction,
    live: state.live,
    line: state.line,
    context: state.context,
    traceId: state.traceId,
    traceMatch: state.traceId && state.traceMatch !== "metadata" ? state.traceMatch : null,
  };
}

/** The LogQL the page runs, or the reason it cannot run one. */
export function effectiveQuery(state: LogsState): { query: string; problem: string | null } {
  if (state.mode === "logql") {
    if (state.query.trim()) return { query: state.query.trim(), problem: null };
    if (state.traceId) return { query: traceQuery(state.traceId, state.traceMatch), problem: null };
    return { query: "", problem: null };
  }
  try {
    return { query: compileSimple(state.simple), problem: null };
  } catch (error) {
    return { query: "", problem: (error as Error).message };
  }
}
