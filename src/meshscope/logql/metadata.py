"""Label names, label values, series, index stats and volumes: what Grafana asks before querying.

All are answered from the ``labels`` map of the ``logs`` table within a time range, optionally
narrowed by stream selectors (matchers only; pipelines are ignored as Loki does).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from meshscope.errors import BadData
from meshscope.logql import ast
from meshscope.logql import metric_ast as m
from meshscope.logql.context import QueryContext
from meshscope.logql.cursor import Cursor
from meshscope.logql.parse_log import selector
from meshscope.logql.parser import parse
from meshscope.logql.series import Grid, Matrix, matrix_json, vector_json
from meshscope.logql.sqlgen import time_sql, where_sql
from meshscope.storage.sql import quote


def matchers_of(text: str) -> tuple[ast.Matcher, ...]:
    """The stream selector of ``text``: a selector, a log query, or the first one inside a metric query
    (Grafana sends whole queries to ``/index/stats`` to size them)."""
    if text.lstrip().startswith("{"):
        return selector(Cursor(text))
    found = _first_log_query(parse(text))
    if found is None:
        raise BadData(f"no stream selector in {text!r}")
    return found.matchers


def _first_log_query(node: object) -> ast.LogQuery | None:
    if isinstance(node, ast.LogQuery):
        return node
    if isinstance(node, m.RangeAggregation):
        return node.query
    for child in (getattr(node, "expr", None), getattr(node, "lhs", None), getattr(node, "rhs", None)):
        found = _first_log_query(child) if child is not None else None
        if found is not None:
            return found
    return None


def _where(selectors: list[str], start_ns: int, end_ns: int) -> str:
    time_cond = time_sql(start_ns, end_ns)
    if not selectors:
        return time_cond
    parts = [where_sql(ast.LogQuery(matchers_of(s)), time_cond) for s in selectors]
    return parts[0] if len(parts) == 1 else "(" + ") OR (".join(parts) + ")"


def label_names(ctx: QueryContext, start_ns: int, end_ns: int, query: str = "") -> list[str]:
    where = _where([query] if query else [], start_ns, end_ns)
    rows = ctx.rows(f"SELECT DISTINCT arrayJoin(mapKeys(labels)) AS k FROM {ctx.db}.logs WHERE {where} ORDER BY k")
    return [r["k"] for r in rows]


def label_values(ctx: QueryContext, name: str, start_ns: int, end_ns: int, query: str = "") -> list[str]:
    where = _where([query] if query else [], start_ns, end_ns)
    rows = ctx.rows(f"SELECT DISTINCT labels[{quote(name)}] AS v FROM {ctx.db}.logs WHERE {where} "
                    f"AND mapContains(labels, {quote(name)}) ORDER BY v LIMIT 10000")
    return [r["v"] for r in rows]


def series(ctx: QueryContext, selectors: list[str], start_ns: int, end_ns: int) -> list[dict[str, str]]:
    where = _where(selectors, start_ns, end_ns)
    rows = ctx.rows(f"SELECT DISTINCT labels FROM {ctx.db}.logs WHERE {where} LIMIT {ctx.limits.max_series}")
    return sorted((dict(sorted(r["labels"].items())) for r in rows), key=lambda d: sorted(d.items()))


def index_stats(ctx: QueryContext, query: str, start_ns: int, end_ns: int) -> dict[str, int]:
    where = _where([query], start_ns, end_ns)
    row = ctx.rows(f"SELECT uniqExact(labels) AS streams, count() AS entries, sum(length(body)) AS bytes "
                   f"FROM {ctx.db}.logs WHERE {where}")[0]
    streams = int(row["streams"] or 0)
    return {"streams": streams, "chunks": streams, "entries": int(row["entries"] or 0), "bytes": int(row["bytes"] or 0)}


def _volume_keys(matchers: tuple[ast.Matcher, ...], target_labels: list[str]) -> list[str]:
    return target_labels or list(dict.fromkeys(m.name for m in matchers))


def volume(ctx: QueryContext, query: str, grid: Grid, target_labels: list[str], by_labels: bool,
           limit: int, ranged: bool) -> dict[str, Any]:
    """Bytes per label combination: a vector over the whole range, or a matrix per step (``ranged``)."""
    matchers = matchers_of(query)
    keys = _volume_keys(matchers, target_labels)
    start = grid.start_ns if not ranged else grid.start_ns - grid.step_ns
    where = where_sql(ast.LogQuery(matchers), time_sql(start, grid.end_ns, left_open=ranged, right_closed=ranged))
    step = grid.step_ns if ranged else max(grid.end_ns - grid.start_ns, 1)
    bucket = f"intDiv(toUnixTimestamp64Nano(timestamp) - {start} + {step - 1}, {step})" if ranged else "1"
    if by_labels:
        name_expr = f"arrayJoin(arrayFilter(k -> has({_array(keys)}, k), mapKeys(labels)))"
        select = f"map({name_expr}, '') AS metric"
    else:
        select = "map(" + ", ".join(f"{quote(k)}, labels[{quote(k)}]" for k in keys) + ") AS metric"
    rows = ctx.rows(f"SELECT {select}, {bucket} AS b, sum(length(body)) AS bytes FROM {ctx.db}.logs "
                    f"WHERE {where} GROUP BY metric, b")
    result = Matrix(grid)
    for r in rows:
        key = tuple(sorted((k, v) for k, v in r["metric"].items() if v or by_labels))
        arr = result.series.setdefault(key, np.full(grid.size, np.nan))
        idx = int(r["b"]) - 1 if ranged else grid.size - 1
        if 0 <= idx < grid.size:
            arr[idx] = (0 if np.isnan(arr[idx]) else arr[idx]) + float(r["bytes"])
    top = sorted(result.series.items(), key=lambda kv: -np.nansum(kv[1]))[:limit]
    result.series = dict(top)
    if ranged:
        return {"resultType": "matrix", "result": matrix_json(result)}
    return {"resultType": "vector", "result": vector_json(result)}


def _array(values: list[str]) -> str:
    return "[" + ", ".join(quote(v) for v in values) + "]"
