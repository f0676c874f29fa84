// Which subtrees of the waterfall are folded, kept in the URL as `collapse=all` and `toggled=<ids>`:
// a span is collapsed when "collapse all" is on XOR its id is toggled. Both stay short for 10k spans.
import type { ParamValues } from "../lib/router";

export interface CollapseState {
  all: boolean;
  toggled: Set<string>;
}

export function readCollapse(params: URLSearchParams): CollapseState {
  const toggled = (params.get("toggled") ?? "").split(",").filter(Boolean);
  return { all: params.get("collapse") === "all", toggled: new Set(toggled) };
}

export function isCollapsed(state: CollapseState, id: string): boolean {
  return state.all !== state.toggled.has(id);
}

/** URL changes that flip one span. */
export function toggleParams(state: CollapseState, id: string): ParamValues {
  const toggled = new Set(state.toggled);
  if (toggled.has(id)) toggled.delete(id);
  else toggled.add(id);
  return { toggled: [...toggled].join(",") };
}

/** URL changes for "collapse all" (true) and "expand all" (false). */
export function allParams(collapsed: boolean): ParamValues {
  return { collapse: collapsed ? "all" : null, toggled: null };
}
