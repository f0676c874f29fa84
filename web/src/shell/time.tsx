// The global time range, read from the URL and shared by every page, with auto-refresh ticks.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { buildHref, navigate, updateParams, useLocation, type ParamValues } from "../lib/router";
import {
  DEFAULT_RANGE,
  readRange,
  refreshIntervalMs,
  resolveRange,
  type ResolvedRange,
  type TimeRange,
} from "../lib/timeRange";

export interface TimeState {
  range: TimeRange;
  /** The range in µs, resolved again on every refresh tick and every URL change (a new search). */
  resolved: ResolvedRange;
  /** Changes on every auto-refresh and on "refresh now"; pages refetch when it does. */
  tick: number;
  refreshNow: () => void;
  setRange: (changes: Partial<TimeRange>) => void;
  /** A link to `path` that keeps the current range. */
  hrefWithRange: (path: string, params?: ParamValues) => string;
}

const TimeContext = createContext<TimeState | null>(null);

/** The range parameters worth writing into a link (defaults are left out to keep URLs short). */
export function rangeParams(range: TimeRange): ParamValues {
  return {
    from: range.from === DEFAULT_RANGE.from && range.to === DEFAULT_RANGE.to ? null : range.from,
    to: range.from === DEFAULT_RANGE.from && range.to === DEFAULT_RANGE.to ? null : range.to,
    refresh: range.refresh === DEFAULT_RANGE.refresh ? null : range.refresh,
  };
}

function useTicks(refresh: string): [number, () => void] {
  const [tick, setTick] = useState(0);
  const bump = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    const every = refreshIntervalMs(refresh);
    if (every === null) return;
    const timer = window.setInterval(bump, every);
    return () => window.clearInterval(timer);
  }, [refresh, bump]);
  return [tick, bump];
}

export function TimeProvider({ children }: { children: ReactNode }) {
  const { pathname, params } = useLocation();
  const range = readRange(params);
  const { from, to, refresh } = range;
  const [tick, refreshNow] = useTicks(refresh);
  const search = params.toString();

  const value = useMemo<TimeState>(() => {
    const current: TimeRange = { from, to, refresh };
    return {
      range: current,
      resolved: resolveRange(current, Date.now()),
      tick,
      refreshNow,
      setRange: (changes) => {
        const next = { ...current, ...changes };
        const query = updateParams(new URLSearchParams(search), rangeParams(next)).toString();
        navigate(query ? `${pathname}?${query}` : pathname);
      },
      hrefWithRange: (path, extra = {}) => buildHref(path, { ...rangeParams(current), ...extra }),
    };
  }, [from, to, refresh, tick, refreshNow, pathname, search]);

  return <TimeContext.Provider value={value}>{children}</TimeContext.Provider>;
}

/**
 * The range resolved once per search: a view's own URL changes (a row expanded, a panel opened) must not move a
 * relative range like now-1h and refetch; a new `key` (the query), range or refresh tick does.
 */
export function usePinnedRange(key: string): ResolvedRange {
  const { range, tick } = useTime();
  return useMemo(() => resolveRange(range, Date.now()), [range.from, range.to, tick, key]); // not `range`: a new object on every render
}

export function useTime(): TimeState {
  const state = useContext(TimeContext);
  if (!state) throw new Error("useTime outside TimeProvider");
  return state;
}
