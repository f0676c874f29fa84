// The Traces section: search form on the left, results on the right; the query lives in the URL.
import type { Envelope, TraceSummary } from "../api/types";
import { useApi } from "../api/useApi";
import { navigate, useLocation } from "../lib/router";
import { ErrorBanner } from "../shell/ErrorBanner";
import { useTime } from "../shell/time";
import { DurationScatter } from "./DurationScatter";
import { ResultList } from "./ResultList";
import { SearchForm } from "./SearchForm";
import { hasSearch, queryParams, queryProblems, readQuery, searchUrl, type SearchQuery } from "./searchQuery";

function Results({ url, problems }: { url: string | null; problems: string[] }) {
  const { tick } = useTime();
  const { data, error, loading } = useApi<Envelope<TraceSummary[] | null>>(url, tick);
  if (problems.length > 0) return <ErrorBanner title="Cannot search" message={problems.join("; ")} />;
  if (url === null) return <p className="empty-state">Choose a service and press <em>Find traces</em>.</p>;
  if (error) return <ErrorBanner title="Search failed" message={error} />;
  if (!data) return <div className="loading">Searching…</div>;
  const traces = data.data ?? [];
  return (
    <div className={loading ? "results stale" : "results"}>
      <div className="results-summary" data-testid="results-summary">
        {traces.length} {traces.length === 1 ? "trace" : "traces"}
      </div>
      {traces.length === 0 ? (
        <p className="empty-state">No traces match in this time range. Widen the range or loosen the filters.</p>
      ) : (
        <>
          <DurationScatter traces={traces} />
          <ResultList traces={traces} />
        </>
      )}
    </div>
  );
}

export default function SearchPage() {
  const { params } = useLocation();
  const { resolved, hrefWithRange, refreshNow } = useTime();
  const query = readQuery(params);
  const searched = hasSearch(params);
  const problems = searched ? queryProblems(query) : [];
  const url = searched && problems.length === 0 ? searchUrl(query, resolved) : null;

  const search = (next: SearchQuery) => {
    navigate(hrefWithRange("/traces", queryParams(next)));
    refreshNow();
  };

  return (
    <div className="search-page">
      <aside className="search-sidebar">
        <h2>Find traces</h2>
        <SearchForm key={params.toString()} initial={query} onSearch={search} />
      </aside>
      <section className="search-results">
        <Results url={url} problems={problems} />
      </section>
    </div>
  );
}
