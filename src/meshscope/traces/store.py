"""Reading traces: search, by id, services and operations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from meshscope.storage.executor import Executor
from meshscope.storage.sql import quote, quote_list
from meshscope.traces.query import TraceSearch, matching_trace_ids_sql

# A trace's spans are read within its indexed time range widened by this much (late children).
_SLACK_NS = 60 * 10**9

SPAN_COLUMNS = """trace_id, span_id, parent_span_id, name, kind, service_name,
    toUnixTimestamp64Nano(timestamp) AS start_ns, duration_ns, status_code, status_message, flags,
    scope_name, scope_version, resource_attributes, attributes,
    arrayMap(t -> toUnixTimestamp64Nano(t), events.timestamp) AS event_times, events.name AS event_names,
    events.attributes AS event_attributes, links.trace_id AS link_trace_ids, links.span_id AS link_span_ids"""


@dataclass(frozen=True)
class TraceSummary:
    trace_id: str
    start_ns: int
    end_ns: int
    span_count: int
    error_count: int
    root_service: str
    root_name: str
    services: list[str]


class TraceStore:
    """Queries over ``spans`` and ``trace_index``."""

    def __init__(self, executor: Executor) -> None:
        self.ex = executor
        self.db = executor.database

    def services(self) -> list[str]:
        rows = self.ex.rows(f"SELECT DISTINCT service_name AS s FROM {self.db}.spans ORDER BY s")
        return [r["s"] for r in rows]

    def operations(self, service: str = "", kind: str = "") -> list[dict[str, str]]:
        conds = ["1"]
        if service:
            conds.append(f"service_name = {quote(service)}")
        if kind:
            conds.append(f"kind = {quote(kind.lower())}")
        rows = self.ex.rows(f"SELECT DISTINCT name, kind FROM {self.db}.spans WHERE {' AND '.join(conds)} "
                            "ORDER BY name, kind")
        return [{"name": r["name"], "spanKind": r["kind"]} for r in rows]

    def search_ids(self, search: TraceSearch) -> list[str]:
        return [r["trace_id"] for r in self.ex.rows(matching_trace_ids_sql(self.db, search))]

    def summaries(self, trace_ids: list[str]) -> list[TraceSummary]:
        """Summaries in the order of ``trace_ids``."""
        if not trace_ids:
            return []
        rows = self.ex.rows(
            f"SELECT trace_id, toUnixTimestamp64Nano(min(start)) AS s, toUnixTimestamp64Nano(max(end)) AS e, "
            f"sum(span_count) AS n, sum(error_count) AS errors, max(root_service) AS rs, max(root_name) AS rn, "
            f"groupUniqArrayArray(services) AS svcs FROM {self.db}.trace_index "
            f"WHERE trace_id IN {quote_list(trace_ids)} GROUP BY trace_id")
        by_id = {r["trace_id"]: r for r in rows}
        out = []
        for tid in trace_ids:
            r = by_id.get(tid)
            if r:
                out.append(TraceSummary(tid, int(r["s"]), int(r["e"]), int(r["n"]), int(r["errors"]),
                                        r["rs"], r["rn"], sorted(r["svcs"])))
        return out

    def spans(self, trace_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """All spans of each trace, read within the trace's indexed time range."""
        if not trace_ids:
            return {}
        bounds = self.ex.rows(
            f"SELECT toUnixTimestamp64Nano(min(start)) AS s, toUnixTimestamp64Nano(max(end)) AS e "
            f"FROM {self.db}.trace_index WHERE trace_id IN {quote_list(trace_ids)}")
        if not bounds or bounds[0]["s"] is None or int(bounds[0]["e"]) == 0:
            return {}
        lo, hi = int(bounds[0]["s"]) - _SLACK_NS, int(bounds[0]["e"]) + _SLACK_NS
        rows = self.ex.rows(
            f"SELECT {SPAN_COLUMNS} FROM {self.db}.spans WHERE trace_id IN {quote_list(trace_ids)} "
            f"AND timestamp >= fromUnixTimestamp64Nano({lo}) AND timestamp <= fromUnixTimestamp64Nano({hi}) "
            f"ORDER BY start_ns, span_id LIMIT 1 BY trace_id, span_id")
        grouped: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            grouped.setdefault(r["trace_id"], []).append(r)
        return grouped
