// Durations as the trace APIs use them: microseconds, written in Go syntax ("100ms", "1.2s", "1m30s").

const MICROS_PER_UNIT: Record<string, number> = {
  ns: 0.001,
  us: 1,
  "µs": 1,
  "μs": 1,
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
};

const TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Parses a Go-style duration into microseconds; throws an Error saying what is wrong. */
export function parseDuration(text: string): number {
  const source = text.trim();
  if (source === "") throw new Error("empty duration");
  TERM.lastIndex = 0;
  let total = 0;
  while (TERM.lastIndex < source.length) {
    const at = TERM.lastIndex;
    const match = TERM.exec(source);
    if (!match) {
      throw new Error(`invalid duration '${text}': expected a number and a unit (ns, us, ms, s, m, h) at '${source.slice(at)}'`);
    }
    total += Number(match[1]) * MICROS_PER_UNIT[match[2]];
  }
  return total;
}

/** Returns the error message for an invalid duration, or null when it is valid or empty. */
export function durationProblem(text: string): string | null {
  if (text.trim() === "") return null;
  try {
    parseDuration(text);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function trimNumber(value: number): string {
  const digits = value < 10 ? 2 : value < 100 ? 1 : 0;
  return String(Number(value.toFixed(digits)));
}

/** Formats microseconds for people: 850µs, 12.3ms, 1.24s, 2m 3s, 1h 5m. */
export function formatDuration(micros: number): string {
  const us = Math.max(0, micros);
  if (us < 1_000) return `${trimNumber(us)}µs`;
  if (us < 1_000_000) return `${trimNumber(us / 1_000)}ms`;
  if (us < 60_000_000) return `${trimNumber(us / 1_000_000)}s`;
  const totalSeconds = Math.round(us / 1_000_000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return hours > 0 ? `${hours}h ${minutes}m` : `${minutes}m ${seconds}s`;
}
