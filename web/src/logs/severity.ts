// A log line's level, normalised from whatever its labels, metadata or text call it.

/** The structured metadata holding a line's severity: meshscope normalises every door's level into it. */
export const LEVEL_LABEL = "severity_text";
/** Every label a line's level may come from, most specific first. */
export const LEVEL_SOURCES = ["detected_level", "level", LEVEL_LABEL, "severity", "lvl"] as const;

export const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "unknown"] as const;
export type Level = (typeof LEVELS)[number];

/** Fill colours by level, shared by the histogram and the row markers (Grafana's log colours). */
export const LEVEL_COLORS: Record<Level, string> = {
  fatal: "#b877d9",
  error: "#f2495c",
  warn: "#ff9830",
  info: "#73bf69",
  debug: "#5794f2",
  trace: "#8ab8ff",
  unknown: "#6e7079",
};

const ALIASES: Record<string, Level> = {
  fatal: "fatal", critical: "fatal", crit: "fatal", emerg: "fatal", emergency: "fatal", alert: "fatal", panic: "fatal",
  error: "error", err: "error", eror: "error", severe: "error",
  warn: "warn", warning: "warn", wrn: "warn",
  info: "info", information: "info", informational: "info", notice: "info", inf: "info",
  debug: "debug", dbug: "debug", dbg: "debug", fine: "debug",
  trace: "trace", trc: "trace", finest: "trace", verbose: "trace",
};

/** Every name that means `level` (for filters that must match how each source spells it). */
export function levelNames(level: string): string[] {
  return Object.keys(ALIASES).filter((name) => ALIASES[name] === level);
}

/** The level a name stands for: `WARNING` → warn, `err` → error, `Error2` (OTel) → error; unknown otherwise. */
export function normalizeLevel(name: string | undefined | null): Level {
  if (!name) return "unknown";
  const word = name.trim().toLowerCase().replace(/\d+$/, "");
  return ALIASES[word] ?? "unknown";
}

/** A level from the first level label that has one. */
export function levelFromLabels(...sets: (Record<string, string> | undefined)[]): Level {
  for (const source of LEVEL_SOURCES) {
    for (const labels of sets) {
      const level = normalizeLevel(labels?.[source]);
      if (level !== "unknown") return level;
    }
  }
  return "unknown";
}

const IN_TEXT = /(?:\blevel\b|\blvl\b|\bseverity\b)["']?\s*[=:]\s*["']?([a-z]+)|\b(FATAL|CRITICAL|ERROR|WARN(?:ING)?|INFO|DEBUG|TRACE)\b/i;

/** A level written in the line itself: `level=warn`, `"level":"error"`, `[ERROR]`. */
export function levelFromText(line: string): Level {
  const match = IN_TEXT.exec(line.slice(0, 500));
  return match ? normalizeLevel(match[1] ?? match[2]) : "unknown";
}
