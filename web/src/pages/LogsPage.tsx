// The Logs section. Log search is still to come; it already honours links from traces (?traceId=).
import { Link, useLocation } from "../lib/router";
import { useTime } from "../shell/time";

export default function LogsPage() {
  const { params } = useLocation();
  const { hrefWithRange } = useTime();
  const traceId = params.get("traceId");
  return (
    <section className="placeholder" data-testid="page-logs">
      <h1>Logs</h1>
      {traceId && (
        <p className="filter-line" data-testid="logs-trace-filter">
          Filtered to trace <code data-testid="logs-trace-id">{traceId}</code> ·{" "}
          <Link href={hrefWithRange(`/traces/${encodeURIComponent(traceId)}`)}>open the trace</Link>
        </p>
      )}
      <p className="muted">This section is coming. It will show:</p>
      <ul>
        <li>A LogQL query bar with label and line filters over the selected time range, and a volume histogram.</li>
        <li>A virtualised list of log lines with their labels; trace ids in lines open the trace.</li>
      </ul>
    </section>
  );
}
