// The Logs query bar: simple mode (service, levels, words, fields) compiled to LogQL, or LogQL typed directly.
import { useState, type FormEvent } from "react";
import { QueryEditor, type SuggestFn } from "../lib/QueryEditor";
import { compileSimple, type Parser, type SimpleQuery } from "./logql";
import { DEFAULT_LIMIT, effectiveQuery, MAX_LIMIT, type LogsState } from "./logsState";
import { LEVEL_COLORS, type Level } from "./severity";

const PICKABLE_LEVELS: Level[] = ["fatal", "error", "warn", "info", "debug", "trace"];

interface Props {
  initial: LogsState;
  services: string[];
  suggest: SuggestFn;
  onRun: (state: LogsState) => void;
}

function LevelPicker({ levels, onChange }: { levels: string[]; onChange: (levels: string[]) => void }) {
  const toggle = (level: string) => onChange(levels.includes(level) ? levels.filter((l) => l !== level) : [...levels, level]);
  return (
    <div className="level-picker" role="group" aria-label="Levels">
      {PICKABLE_LEVELS.map((level) => (
        <button type="button" key={level} className={levels.includes(level) ? "level-chip on" : "level-chip"}
          aria-pressed={levels.includes(level)} data-testid={`level-${level}`} onClick={() => toggle(level)}>
          <span className="swatch" style={{ background: LEVEL_COLORS[level] }} />
          {level}
        </button>
      ))}
    </div>
  );
}

function SimpleForm({ simple, services, onChange }: { simple: SimpleQuery; services: string[]; onChange: (s: SimpleQuery) => void }) {
  const set = (changes: Partial<SimpleQuery>) => onChange({ ...simple, ...changes });
  const names = simple.service && !services.includes(simple.service) ? [simple.service, ...services] : services;
  return (
    <div className="simple-form">
      <label className="field service-field">
        <span>Service</span>
        <select value={simple.service} onChange={(e) => set({ service: e.target.value })} data-testid="logs-service">
          <option value="">All services</option>
          {names.map((name) => <option key={name} value={name}>{name}</option>)}
        </select>
      </label>
      <label className="field">
        <span>Words</span>
        <input type="text" value={simple.words} placeholder='timeout "connection reset" -healthcheck' spellCheck={false}
          onChange={(e) => set({ words: e.target.value })} data-testid="logs-words" />
      </label>
      <label className="field">
        <span>Fields</span>
        <input type="text" value={simple.fields} placeholder="status=500 path=~/api.* duration>250ms" spellCheck={false}
          onChange={(e) => set({ fields: e.target.value })} data-testid="logs-fields" />
      </label>
      <label className="field parser-field">
        <span>Parse</span>
        <select value={simple.parser} onChange={(e) => set({ parser: e.target.value as Parser })} data-testid="logs-parser">
          <option value="">fields beside the line</option>
          <option value="json">json</option>
          <option value="logfmt">logfmt</option>
        </select>
      </label>
      <div className="field">
        <span>Level</span>
        <LevelPicker levels={simple.levels} onChange={(levels) => set({ levels })} />
      </div>
    </div>
  );
}

function compiled(simple: SimpleQuery): { text: string; problem: string | null } {
  try {
    return { text: compileSimple(simple), problem: null };
  } catch (error) {
    return { text: "", problem: (error as Error).message };
  }
}

export function QueryBar({ initial, services, suggest, onRun }: Props) {
  const [draft, setDraft] = useState<LogsState>(() => ({ ...initial, query: effectiveQuery(initial).query || initial.query }));
  const set = (changes: Partial<LogsState>) => setDraft((d) => ({ ...d, ...changes }));
  const preview = compiled(draft.simple);
  const run = () => {
    if (draft.mode === "simple" && preview.problem) return;
    const stillTrace = draft.mode === "logql" && draft.traceId && draft.query === effectiveQuery({ ...draft, query: "" }).query;
    onRun({ ...draft, traceId: stillTrace ? draft.traceId : "", query: stillTrace ? "" : draft.query, line: "", context: "" });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    run();
  };

  return (
    <form className="logs-query" onSubmit={submit} data-testid="logs-query-form">
      <div className="mode-tabs" role="tablist">
        <button type="button" role="tab" aria-selected={draft.mode === "simple"} className={draft.mode === "simple" ? "tab on" : "tab"}
          onClick={() => set({ mode: "simple" })} data-testid="mode-simple">Simple</button>
        <button type="button" role="tab" aria-selected={draft.mode === "logql"} className={draft.mode === "logql" ? "tab on" : "tab"}
          onClick={() => set({ mode: "logql", query: draft.mode === "simple" && preview.text ? preview.text : draft.query })}
          data-testid="mode-logql">LogQL</button>
      </div>
      {draft.mode === "simple" ? (
        <>
          <SimpleForm simple={draft.simple} services={services} onChange={(simple) => set({ simple })} />
          <div className="compiled" data-testid="compiled-logql-line">
            <span className="muted">LogQL</span>
            <code data-testid="compiled-logql">{preview.text}</code>
            <button type="button" className="link-button" data-testid="edit-logql"
              onClick={() => set({ mode: "logql", query: preview.text })} disabled={!preview.text}>edit</button>
          </div>
          {preview.problem && <div className="field-problem" role="alert">{preview.problem}</div>}
        </>
      ) : (
        <QueryEditor value={draft.query} onChange={(query) => set({ query })} onRun={run} language="logql" suggest={suggest}
          placeholder='{service_name="checkout"} |= "error" | json | status >= 500' testId="logql-input" ariaLabel="LogQL query" />
      )}
      <div className="query-options">
        <label className="inline-field">
          Limit
          <input type="number" min={1} max={MAX_LIMIT} value={draft.limit} data-testid="logs-limit"
            onChange={(e) => set({ limit: Number.isInteger(e.target.valueAsNumber) ? e.target.valueAsNumber : DEFAULT_LIMIT })} />
        </label>
        <label className="inline-field">
          Order
          <select value={draft.direction} onChange={(e) => set({ direction: e.target.value as LogsState["direction"] })} data-testid="logs-direction">
            <option value="backward">Newest first</option>
            <option value="forward">Oldest first</option>
          </select>
        </label>
        <span className="spacer" />
        <button type="submit" className="primary" data-testid="logs-run">Run query</button>
      </div>
    </form>
  );
}
