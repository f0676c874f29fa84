// "Open a trace by id" from any page, as Jaeger's top bar offers.
import { useState, type FormEvent } from "react";
import { navigate } from "../lib/router";
import { useTime } from "./time";

export function TraceIdLookup() {
  const { hrefWithRange } = useTime();
  const [traceId, setTraceId] = useState("");
  const open = (event: FormEvent) => {
    event.preventDefault();
    const id = traceId.trim();
    if (!id) return;
    navigate(hrefWithRange(`/traces/${encodeURIComponent(id)}`));
    setTraceId("");
  };
  return (
    <form className="trace-lookup" onSubmit={open} role="search">
      <input
        type="text"
        value={traceId}
        onChange={(e) => setTraceId(e.target.value)}
        placeholder="Open trace ID…"
        aria-label="Trace ID"
        spellCheck={false}
        data-testid="trace-id-lookup"
      />
    </form>
  );
}
