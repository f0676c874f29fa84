// The trace search form; running it writes the query into the URL.
import { useState, type FormEvent } from "react";
import type { Envelope } from "../api/types";
import { useApi } from "../api/useApi";
import { ErrorBanner } from "../shell/ErrorBanner";
import { MAX_LIMIT, queryProblems, type SearchQuery, type StatusFilter } from "./searchQuery";

function useNames(url: string | null): { names: string[]; error: string | null } {
  const { data, error } = useApi<Envelope<string[] | null>>(url);
  return { names: [...(data?.data ?? [])].sort(), error };
}

function NameSelect(props: {
  label: string;
  value: string;
  names: string[];
  anyLabel: string;
  onChange: (value: string) => void;
  testId: string;
}) {
  const names = props.value && !props.names.includes(props.value) ? [props.value, ...props.names] : props.names;
  return (
    <label className="field">
      <span>{props.label}</span>
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid={props.testId}>
        <option value="">{props.anyLabel}</option>
        {names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

function TextField(props: { label: string; value: string; placeholder: string; onChange: (v: string) => void; testId: string }) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="text"
        value={props.value}
        placeholder={props.placeholder}
        spellCheck={false}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={props.testId}
      />
    </label>
  );
}

export function SearchForm({ initial, onSearch }: { initial: SearchQuery; onSearch: (query: SearchQuery) => void }) {
  const [query, setQuery] = useState(initial);
  const [problems, setProblems] = useState<string[]>([]);
  const set = (changes: Partial<SearchQuery>) => setQuery((q) => ({ ...q, ...changes }));
  const services = useNames("/api/services");
  const operations = useNames(query.service ? `/api/services/${encodeURIComponent(query.service)}/operations` : null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = queryProblems(query);
    setProblems(found);
    if (found.length === 0) onSearch(query);
  };

  return (
    <form className="search-form" onSubmit={submit} data-testid="trace-search-form">
      <NameSelect label="Service" value={query.service} names={services.names} anyLabel="All services"
        onChange={(service) => set({ service, operation: "" })} testId="search-service" />
      <NameSelect label="Operation" value={query.operation} names={operations.names} anyLabel="All operations"
        onChange={(operation) => set({ operation })} testId="search-operation" />
      <TextField label="Attributes" value={query.tags} placeholder="http.status_code=500 error=true"
        onChange={(tags) => set({ tags })} testId="search-tags" />
      <div className="field-row">
        <TextField label="Min duration" value={query.minDuration} placeholder="100ms"
          onChange={(minDuration) => set({ minDuration })} testId="search-min-duration" />
        <TextField label="Max duration" value={query.maxDuration} placeholder="1.2s"
          onChange={(maxDuration) => set({ maxDuration })} testId="search-max-duration" />
      </div>
      <div className="field-row">
        <label className="field">
          <span>Status</span>
          <select value={query.status} onChange={(e) => set({ status: e.target.value as StatusFilter })} data-testid="search-status">
            <option value="">Any</option>
            <option value="error">Error</option>
            <option value="ok">OK</option>
          </select>
        </label>
        <label className="field">
          <span>Limit</span>
          <input type="number" min={1} max={MAX_LIMIT} value={query.limit}
            onChange={(e) => set({ limit: e.target.valueAsNumber })} data-testid="search-limit" />
        </label>
      </div>
      {services.error && <ErrorBanner title="Services" message={services.error} />}
      {operations.error && <ErrorBanner title="Operations" message={operations.error} />}
      {problems.map((problem) => (
        <div key={problem} className="field-problem" role="alert">
          {problem}
        </div>
      ))}
      <button type="submit" className="primary" data-testid="search-submit">
        Find traces
      </button>
    </form>
  );
}
