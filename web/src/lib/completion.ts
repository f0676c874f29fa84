// Where the cursor is in a LogQL or PromQL query, and what to suggest there: label names inside `{…}`,
// label values after `name="`, metric names elsewhere (PromQL). Pure, so the editor stays thin.

export type Language = "logql" | "promql";

export type CompletionContext =
  | { kind: "metric"; prefix: string; from: number; to: number }
  /** A LogQL label filter after `|`: stream labels, structured metadata and parsed fields. */
  | { kind: "field"; prefix: string; from: number; to: number }
  | { kind: "label"; prefix: string; from: number; to: number; metric: string }
  | { kind: "value"; label: string; prefix: string; from: number; to: number; quoted: boolean; metric: string };

interface Scan {
  /** Index of the unclosed `{` before the cursor, or -1. */
  brace: number;
  /** Index of the unclosed opening quote before the cursor, or -1. */
  quote: number;
}

function scan(text: string, end: number): Scan {
  let brace = -1;
  let quote = -1;
  for (let i = 0; i < end; i++) {
    const c = text[i];
    if (quote >= 0) {
      if (c === "\\") i++;
      else if (c === text[quote]) quote = -1;
    } else if (c === '"' || c === "'" || c === "`") quote = i;
    else if (c === "{") brace = i;
    else if (c === "}") brace = -1;
  }
  return { brace, quote };
}

const NAME_BEFORE = /([A-Za-z_:][\w:]*)\s*$/;
const MATCHER_BEFORE = /([A-Za-z_][\w.]*)\s*(=~|!~|!=|=)\s*$/;

function metricBefore(text: string, brace: number): string {
  return NAME_BEFORE.exec(text.slice(0, brace))?.[1] ?? "";
}

function wordEnd(text: string, from: number, pattern: RegExp): number {
  let end = from;
  while (end < text.length && pattern.test(text[end])) end++;
  return end;
}

function insideSelector(text: string, cursor: number, at: Scan, language: Language): CompletionContext | null {
  const metric = language === "promql" ? metricBefore(text, at.brace) : "";
  if (at.quote >= 0) {
    const matcher = MATCHER_BEFORE.exec(text.slice(at.brace + 1, at.quote));
    if (!matcher) return null;
    const close = text.indexOf(text[at.quote], cursor);
    const to = close >= 0 && !text.slice(cursor, close).includes(",") ? close : cursor;
    return { kind: "value", label: matcher[1], prefix: text.slice(at.quote + 1, cursor), from: at.quote + 1, to, quoted: true, metric };
  }
  const before = text.slice(at.brace + 1, cursor);
  const matcher = MATCHER_BEFORE.exec(before);
  if (matcher) return { kind: "value", label: matcher[1], prefix: "", from: cursor, to: cursor, quoted: false, metric };
  const name = /(?:^|,)\s*([A-Za-z_][\w]*)?$/.exec(before);
  if (!name) return null;
  const prefix = name[1] ?? "";
  return { kind: "label", prefix, from: cursor - prefix.length, to: wordEnd(text, cursor, /\w/), metric };
}

// Words that are PromQL syntax, not metric names.
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset"]);

const GROUPING = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)$/;

/** Label names inside `by (…)`, `without (…)`, `on (…)`…: the labels of any series. */
function insideGrouping(text: string, cursor: number): CompletionContext | null {
  const grouping = GROUPING.exec(text.slice(0, cursor));
  if (!grouping) return null;
  const prefix = /(?:^|,)\s*(\w*)$/.exec(grouping[1])?.[1];
  if (prefix === undefined) return null;
  return { kind: "label", prefix, from: cursor - prefix.length, to: wordEnd(text, cursor, /\w/), metric: "" };
}

// `| name` after a stream selector, but not the line filters `|=` and `|~`, nor stage keywords.
const FILTER_NAME = /\|\s*([A-Za-z_]\w*)?$/;
const STAGES = new Set(["json", "logfmt", "regexp", "pattern", "unpack", "line_format", "label_format", "drop", "keep", "decolorize", "unwrap"]);

function labelFilter(text: string, cursor: number): CompletionContext | null {
  const before = text.slice(0, cursor);
  const match = FILTER_NAME.exec(before);
  if (!match || !before.includes("}")) return null;
  const prefix = match[1] ?? "";
  if (STAGES.has(prefix)) return null;
  return { kind: "field", prefix, from: cursor - prefix.length, to: wordEnd(text, cursor, /\w/) };
}

/** What to complete at `cursor`, or null where nothing is offered. */
export function completionContext(text: string, cursor: number, language: Language): CompletionContext | null {
  const at = scan(text, cursor);
  if (at.brace >= 0) return insideSelector(text, cursor, at, language);
  if (at.quote >= 0) return null;
  const grouping = insideGrouping(text, cursor);
  if (grouping) return grouping;
  if (language === "logql") return labelFilter(text, cursor);
  const word = /[A-Za-z_:][\w:]*$/.exec(text.slice(0, cursor));
  if (!word || KEYWORDS.has(word[0])) return null;
  const before = text.slice(0, word.index);
  if (/[\d.]$/.test(before) || /\[[^\]]*$/.test(before) || /(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*$/.test(before)) return null;
  return { kind: "metric", prefix: word[0], from: word.index, to: wordEnd(text, cursor, /[\w:]/) };
}

/** Suggestions that start with the prefix first, then those that contain it; at most `max`. */
export function filterSuggestions(candidates: string[], prefix: string, max = 50): string[] {
  const needle = prefix.toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const name of candidates) {
    const lower = name.toLowerCase();
    if (lower.startsWith(needle)) starts.push(name);
    else if (needle && lower.includes(needle)) contains.push(name);
  }
  return [...starts.sort(), ...contains.sort()].filter((name) => name !== prefix || starts.length > 1).slice(0, max);
}

function escapeValue(value: string, quoteChar: string): string {
  if (quoteChar === "`") return value;
  return value.replace(/\\/g, "\\\\").replace(new RegExp(quoteChar, "g"), `\\${quoteChar}`);
}

/** The query with a suggestion put in, and where the cursor goes (after a value's closing quote). */
export function applyCompletion(text: string, context: CompletionContext, value: string): { text: string; cursor: number } {
  const splice = (insert: string, skip = 0) => ({
    text: text.slice(0, context.from) + insert + text.slice(context.to),
    cursor: context.from + insert.length + skip,
  });
  if (context.kind !== "value") return splice(value);
  if (!context.quoted) return splice(`"${escapeValue(value, '"')}"`);
  const quoteChar = text[context.from - 1];
  const escaped = escapeValue(value, quoteChar);
  return text[context.to] === quoteChar ? splice(escaped, 1) : splice(escaped + quoteChar);
}
