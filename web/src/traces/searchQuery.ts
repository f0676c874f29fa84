// The trace search as it lives in the URL, its checks, and the search API request it becomes.
import { durationProblem } from "../lib/durations";
import { parseLogfmt } from "../lib/logfmt";
import { buildHref, type ParamValues } from "../lib/router";
import type { ResolvedRange } from "../lib/timeRange";

export type StatusFilter = "" | "error" | "ok";

export interface SearchQuery {
  service: string;
  operation: string;
  /** Attribute filters as typed, logfmt: `http.status_code=500 error=true`. */
  tags: string;
  minDuration: string;
  maxDuration: string;
  status: StatusFilter;
  limit: number;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 1500;
const KEYS = ["service", "operation", "tags", "minDuration", "maxDuration", "status", "limit"] as const;

export const EMPTY_QUERY: SearchQuery = {
  service: "",
  operation: "",
  tags: "",
  minDuration: "",
  maxDuration: "",
  status: "",
  limit: DEFAULT_LIMIT,
};

/** True once a search has been run: the form always writes `limit` into the URL. */
export function hasSearch(params: URLSearchParams): boolean {
  return KEYS.some((key) => params.has(key));
}

export function readQuery(params: URLSearchParams): SearchQuery {
  const status = params.get("status");
  const limit = Number(params.get("limit"));
  return {
    service: params.get("service") ?? "",
    operation: params.get("operation") ?? "",
    tags: params.get("tags") ?? "",
    minDuration: params.get("minDuration") ?? "",
    maxDuration: params.get("maxDuration") ?? "",
    status: status === "error" || status === "ok" ? status : "",
    limit: Number.isInteger(limit) && limit > 0 ? limit : DEFAULT_LIMIT,
  };
}

/** URL parameters for a query; empty fields are left out, `limit` always stays. */
export function queryParams(query: SearchQuery): ParamValues {
  return { ...query, tags: query.tags.trim(), limit: query.limit };
}

/** What is wrong with a query, in the words of the field; empty when it can run. */
export function queryProblems(query: SearchQuery): string[] {
  const problems: string[] = [];
  try {
    parseLogfmt(query.tags);
  } catch (error) {
    problems.push((error as Error).message);
  }
  for (const field of ["minDuration", "maxDuration"] as const) {
    const problem = durationProblem(query[field]);
    if (problem) problems.push(`${field}: ${problem}`);
  }
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_LIMIT) {
    problems.push(`limit: must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return problems;
}

/** The `/api/ms/traces/search` URL; attribute filters travel as JSON, which both trace APIs accept. */
export function searchUrl(query: SearchQuery, range: ResolvedRange): string {
  const tags = parseLogfmt(query.tags);
  return buildHref("/api/ms/traces/search", {
    service: query.service,
    operation: query.operation,
    tags: Object.keys(tags).length > 0 ? JSON.stringify(tags) : null,
    minDuration: query.minDuration.trim(),
    maxDuration: query.maxDuration.trim(),
    status: query.status,
    start: Math.floor(range.startUs),
    end: Math.ceil(range.endUs),
    limit: query.limit,
  });
}
