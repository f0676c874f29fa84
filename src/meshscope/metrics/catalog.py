"""What the series catalog answers: series, label names and values, metadata, exemplars.

These are the Prometheus API's lookups besides PromQL. Each is one SQL statement over
``metric_series`` (bounded by the days of the asked range) or the metadata/exemplar tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from meshscope.metrics import matchers_sql
from meshscope.metrics.source import to_labels
from meshscope.promql.labels import Labels
from meshscope.promql.matchers import LabelMatcher
from meshscope.storage.executor import Executor
from meshscope.storage.sql import quote

MatcherSets = Sequence[Sequence[LabelMatcher]]


def _where(sets: MatcherSets, start_ms: int | None, end_ms: int | None) -> str:
    parts = []
    if start_ms is not None and end_ms is not None:
        parts.append(f"day BETWEEN toDate(intDiv({start_ms}, 1000)) AND toDate(intDiv({end_ms}, 1000))")
    if sets:
        parts.append("(" + " OR ".join(f"({matchers_sql.where(s)})" for s in sets) + ")")
    return " AND ".join(parts) or "1"


def _limit(limit: int) -> str:
    return f" LIMIT {int(limit)}" if limit > 0 else ""


class SeriesCatalog:
    def __init__(self, executor: Executor) -> None:
        self.ex = executor
        self.db = executor.database

    def series(self, sets: MatcherSets, start_ms: int | None, end_ms: int | None, limit: int = 0) -> list[Labels]:
        rows = self.ex.rows(f"SELECT any(metric_name) AS name, any(labels) AS lbls FROM {self.db}.metric_series "
                            f"WHERE {_where(sets, start_ms, end_ms)} GROUP BY fingerprint{_limit(limit)}")
        return sorted(to_labels(r["name"], r["lbls"]) for r in rows)

    def label_names(self, sets: MatcherSets, start_ms: int | None, end_ms: int | None, limit: int = 0) -> list[str]:
        rows = self.ex.rows(f"SELECT DISTINCT arrayJoin(arrayConcat(['__name__'], mapKeys(labels))) AS n "
                            f"FROM {self.db}.metric_series WHERE {_where(sets, start_ms, end_ms)} "
                            f"AND (length(labels) > 0 OR metric_name != '') ORDER BY n{_limit(limit)}")
        return [r["n"] for r in rows]

    def label_values(self, name: str, sets: MatcherSets, start_ms: int | None, end_ms: int | None,
                     limit: int = 0) -> list[str]:
        col = matchers_sql.column(name)
        rows = self.ex.rows(f"SELECT DISTINCT {col} AS v FROM {self.db}.metric_series "
                            f"WHERE {_where(sets, start_ms, end_ms)} AND v != '' ORDER BY v{_limit(limit)}")
        return [r["v"] for r in rows]

    def metadata(self, metric: str = "", limit: int = 0, limit_per_metric: int = 0) -> dict[str, list[dict[str, str]]]:
        where = f"WHERE metric_name = {quote(metric)}" if metric else ""
        rows = self.ex.rows(f"SELECT metric_name, type, help, unit FROM {self.db}.metric_metadata FINAL {where} "
                            "ORDER BY metric_name, updated DESC")
        out: dict[str, list[dict[str, str]]] = {}
        for r in rows:
            entries = out.get(r["metric_name"])
            if entries is None:
                if limit and len(out) >= limit:
                    break
                entries = out[r["metric_name"]] = []
            if not limit_per_metric or len(entries) < limit_per_metric:
                entries.append({"type": r["type"], "help": r["help"], "unit": r["unit"]})
        return out

    def exemplars(self, sets: MatcherSets, start_ms: int, end_ms: int) -> list[dict[str, Any]]:
        rows = self.ex.rows(
            f"SELECT s.name AS name, s.lbls AS lbls, e.timestamp AS ts, e.value AS value, e.labels AS elabels "
            f"FROM {self.db}.exemplars AS e INNER JOIN (SELECT fingerprint, any(metric_name) AS name, "
            f"any(labels) AS lbls FROM {self.db}.metric_series WHERE {_where(sets, start_ms, end_ms)} "
            f"GROUP BY fingerprint) AS s ON e.fingerprint = s.fingerprint "
            f"WHERE e.timestamp BETWEEN {start_ms} AND {end_ms} ORDER BY name, e.fingerprint, ts")
        by_series: dict[Labels, list[dict[str, Any]]] = {}
        for r in rows:
            by_series.setdefault(to_labels(r["name"], r["lbls"]), []).append(
                {"labels": r["elabels"], "value": float(r["value"]), "timestamp": r["ts"] / 1000})
        return [{"seriesLabels": dict(k), "exemplars": v} for k, v in by_series.items()]
