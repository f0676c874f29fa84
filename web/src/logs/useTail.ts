// Live tail over `/loki/api/v1/tail`: newest lines first, at most `cap`; paused, lines wait in a buffer.
import { useEffect, useRef, useState } from "react";
import { linesFromStreams, msToNs, tailUrl, type LogLine, type LokiStream } from "./loki";

export const LIVE_CAP = 1000;
const BACKFILL_MS = 60_000;
const BACKFILL_LIMIT = 100;

export interface TailState {
  lines: LogLine[];
  /** Lines received while paused, shown when resumed. */
  waiting: number;
  status: "connecting" | "live" | "closed";
  error: string | null;
}

/** Newest-first merge of new lines into old ones, without duplicates, cut to `cap`. */
export function mergeNewest(existing: LogLine[], incoming: LogLine[], cap: number): LogLine[] {
  const seen = new Set(existing.map((line) => line.id));
  const fresh = incoming.filter((line) => !seen.has(line.id));
  return [...fresh, ...existing].slice(0, cap);
}

function parseMessage(data: unknown): LogLine[] {
  try {
    const message = JSON.parse(String(data)) as { streams?: LokiStream[] };
    return linesFromStreams(message.streams ?? [], "backward");
  } catch {
    return [];
  }
}

export function useTail(query: string | null, paused: boolean, cap = LIVE_CAP): TailState {
  const [state, setState] = useState<TailState>({ lines: [], waiting: 0, status: "connecting", error: null });
  const buffer = useRef<LogLine[]>([]);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;

  useEffect(() => {
    if (!query) return;
    setState({ lines: [], waiting: 0, status: "connecting", error: null });
    buffer.current = [];
    const socket = new WebSocket(tailUrl(window.location, query, msToNs(Date.now() - BACKFILL_MS), BACKFILL_LIMIT));
    socket.onopen = () => setState((s) => ({ ...s, status: "live" }));
    socket.onmessage = (event) => {
      const lines = parseMessage(event.data);
      if (lines.length === 0) return;
      if (pausedRef.current) {
        buffer.current = mergeNewest(buffer.current, lines, cap);
        setState((s) => ({ ...s, waiting: buffer.current.length }));
      } else setState((s) => ({ ...s, lines: mergeNewest(s.lines, lines, cap) }));
    };
    socket.onclose = (event) =>
      setState((s) => ({
        ...s,
        status: "closed",
        error: event.code === 1000 ? null : event.reason || `live tail closed (code ${event.code})`,
      }));
    return () => socket.close(1000);
  }, [query, cap]);

  useEffect(() => {
    if (paused || buffer.current.length === 0) return;
    const waiting = buffer.current;
    buffer.current = [];
    setState((s) => ({ ...s, lines: mergeNewest(s.lines, waiting, cap), waiting: 0 }));
  }, [paused, cap]);

  return state;
}
