// LogQL text the Logs page writes: simple mode compiled to a query, stream selectors, trace and volume queries.
import { LEVEL_LABEL, levelNames } from "./severity";

/** The stream label every meshscope log stream carries. */
export const SERVICE_LABEL = "service_name";
export type Parser = "" | "json" | "logfmt";

/** The simple mode's form: words to find, field filters, a service and levels. */
export interface SimpleQuery {
  service: string;
  levels: string[];
  /** Words and "quoted phrases" that lines must contain; `-word` excludes. */
  words: string;
  /** Field filters: `status=500 path=~"/api.*" duration>250ms user!=bot`. */
  fields: string;
  parser: Parser;
}

export const EMPTY_SIMPLE: SimpleQuery = { service: "", levels: [], words: "", fields: "", parser: "" };

/** A LogQL double-quoted string literal. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Splits on spaces, keeping "quoted phrases" (with \" escapes) together; quotes are removed. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  const token = /(-?)"((?:[^"\\]|\\.)*)"?|(\S+)/g;
  for (const match of text.matchAll(token)) {
    if (match[3] !== undefined) words.push(match[3]);
    else words.push(match[1] + match[2].replace(/\\(.)/g, "$1"));
  }
  return words.filter((w) => w !== "" && w !== "-");
}

function lineFilters(words: string): string[] {
  return splitWords(words).map((word) => (word.startsWith("-") && word.length > 1 ? `!= ${quote(word.slice(1))}` : `|= ${quote(word)}`));
}

export interface FieldFilter {
  name: string;
  op: string;
  value: string;
}

const FIELD = /\s*([A-Za-z_][\w.]*)\s*(=~|!~|!=|==|>=|<=|=|>|<)\s*(?:"((?:[^"\\]|\\.)*)"|(\S*))/y;
const NUMERIC = /^-?\d+(\.\d+)?([a-zA-Zµ]+)?$/;

/** Parses `key=value key!="two words" n>5`; throws an Error that names the text it could not read. */
export function parseFields(text: string): FieldFilter[] {
  const filters: FieldFilter[] = [];
  const source = text.trim();
  FIELD.lastIndex = 0;
  while (FIELD.lastIndex < source.length) {
    const at = FIELD.lastIndex;
    const match = FIELD.exec(source);
    if (!match || (match[3] === undefined && match[4] === "")) {
      throw new Error(`fields: expected name=value, name!=value, name=~regex or name>number at '${source.slice(at).trim()}'`);
    }
    const op = match[2] === "==" ? "=" : match[2];
    const value = match[3] !== undefined ? match[3].replace(/\\(.)/g, "$1") : match[4];
    if (/[<>]/.test(op) && !NUMERIC.test(value)) throw new Error(`fields: ${match[1]}${op} needs a number, duration or size, not '${value}'`);
    filters.push({ name: match[1].replace(/\./g, "_"), op, value });
  }
  return filters;
}

function fieldFilter({ name, op, value }: FieldFilter): string {
  return /[<>]/.test(op) ? `| ${name} ${op} ${value}` : `| ${name}${op}${quote(value)}`;
}

/** A case-insensitive regex for every name of the levels (`error` also matches ERR, Error2…). */
export function levelPattern(levels: string[]): string {
  const names = [...new Set(levels.flatMap((level) => levelNames(level)))].sort();
  return `(?i)(${names.join("|")})[0-9]*`;
}

export function streamSelector(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  return `{${names.map((name) => `${name}=${quote(labels[name])}`).join(", ")}}`;
}

/** The LogQL a simple-mode form means; throws on unreadable field filters. */
export function compileSimple(query: SimpleQuery): string {
  const selector = query.service ? streamSelector({ [SERVICE_LABEL]: query.service }) : `{${SERVICE_LABEL}=~".+"}`;
  const stages = lineFilters(query.words);
  if (query.parser) stages.push(`| ${query.parser}`);
  stages.push(...parseFields(query.fields).map(fieldFilter));
  if (query.levels.length > 0) stages.push(`| ${LEVEL_LABEL}=~${quote(levelPattern(query.levels))}`);
  return [selector, ...stages].join(" ");
}

/** How a trace's lines are found: by the trace id stored beside each line, or by the id in the text. */
export type TraceMatch = "metadata" | "text";

export function traceQuery(traceId: string, match: TraceMatch): string {
  const id = traceId.trim().toLowerCase();
  const selector = `{${SERVICE_LABEL}=~".+"}`;
  return match === "metadata" ? `${selector} | trace_id=${quote(id)}` : `${selector} |= ${quote(id)}`;
}

/** Log queries start with a stream selector; anything else (rate(...), sum by ...) is a metric query. */
export function isMetricQuery(query: string): boolean {
  const text = query.trim();
  return text !== "" && !text.startsWith("{");
}

/** Lines per level over time for a log query: by Loki's `detected_level` metadata, and a `level` stream label. */
export function volumeQuery(logQuery: string, stepSeconds: number): string {
  return `sum by (detected_level, level) (count_over_time(${logQuery.trim()} [${stepSeconds}s]))`;
}
