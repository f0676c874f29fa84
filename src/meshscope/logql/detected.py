"""What Grafana's Logs Drilldown asks: detected fields, their values, detected labels, log patterns.

Fields come from the newest ``line_limit`` lines of a log query, as Loki's ``detected_fields`` does:
structured metadata (``parsers: null``), then each line read by ``json`` if it is an object, else
by ``logfmt``. A field's type is that of its first value (``int``, ``float``, ``boolean``,
``duration``, ``bytes``, else ``string``). Cardinalities are exact counts of distinct values.
Detected labels are stream labels with Loki's filter: kept when 2–50 values, or always for the
labels Loki treats as static (``service_name``, ``namespace``, ``cluster``...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from meshscope.logql import ast
from meshscope.logql.context import QueryContext
from meshscope.logql.line_parsers import ParseFailure, json_parser, logfmt_parser
from meshscope.logql.logs_eval import pipeline_entries, select
from meshscope.logql.metadata import matchers_of
from meshscope.logql.parser import parse_log_query
from meshscope.logql.patterns import mine
from meshscope.logql.pipeline import ERROR, ERROR_DETAILS, Entry
from meshscope.logql.sqlgen import filter_sql, time_sql, where_sql
from meshscope.logql.values import parse_bytes, parse_go_duration

STATIC_LABELS = frozenset({"aws_ecs_cluster", "cluster", "container", "container_name", "cron_job", "daemon_set",
                           "deployment", "deployment_name", "ecs_task_family", "environment", "job", "namespace",
                           "service_name", "service_namespace", "stateful_set"})
_JSON, _LOGFMT = json_parser(ast.JsonParser()), logfmt_parser(ast.LogfmtParser())
_BOOLS = {"1", "t", "T", "true", "TRUE", "True", "0", "f", "F", "false", "FALSE", "False"}  # Go's ParseBool


def _boolean(value: str) -> None:
    if value not in _BOOLS:
        raise ValueError(value)


def field_type(value: str) -> str:
    """Loki's ``determineType``: the first parse that succeeds."""
    checks: tuple[tuple[str, Callable[[str], object]], ...] = (
        ("int", int), ("float", float), ("boolean", _boolean), ("duration", parse_go_duration), ("bytes", parse_bytes))
    for name, check in checks:
        try:
            check(value)
            return name
        except ValueError:
            pass
    return "string"


@dataclass
class _Field:
    type: str
    parsers: set[str] = field(default_factory=set)
    values: set[str] = field(default_factory=set)


def _line_fields(line: str) -> tuple[str, dict[str, str]]:
    """The line read as Loki's detection reads it: JSON objects by ``json``, the rest by ``logfmt``."""
    if line.lstrip().startswith("{"):
        try:
            return "json", _JSON(line)
        except ParseFailure:
            pass
    try:
        return "logfmt", _LOGFMT(line)
    except ParseFailure:
        return "", {}


def _collect(entries: list[Entry]) -> dict[str, _Field]:
    fields: dict[str, _Field] = {}
    for e in entries:
        found: list[tuple[str, str, str]] = [(k, v, "") for k, v in e.meta.items()]
        parser, parsed = _line_fields(e.line)
        found += [(k, v, parser) for k, v in parsed.items()]
        found += [(k, v, "") for k, v in e.labels.items() if k not in e.stream_keys]  # the query's own parsers
        for name, value, by in found:
            if name in e.stream_keys or name in (ERROR, ERROR_DETAILS) or value == "":
                continue
            f = fields.setdefault(name, _Field(field_type(value)))
            f.values.add(value)
            if by:
                f.parsers.add(by)
    return fields


def _entries(ctx: QueryContext, query: str, start: int, end: int, line_limit: int) -> list[Entry]:
    return select(ctx, parse_log_query(query), start, end, line_limit, backward=True)


def detected_fields(ctx: QueryContext, query: str, start: int, end: int, line_limit: int,
                    limit: int) -> dict[str, Any]:
    """``{"fields": [{label, type, cardinality, parsers}], "limit": n}`` as Loki answers."""
    fields = _collect(_entries(ctx, query, start, end, line_limit))
    out = [{"label": name, "type": f.type, "cardinality": len(f.values),
            "parsers": sorted(f.parsers) or None} for name, f in sorted(fields.items())]
    return {"fields": out[:limit], "limit": limit}


def detected_field_values(ctx: QueryContext, name: str, query: str, start: int, end: int, line_limit: int,
                          limit: int) -> dict[str, Any]:
    """``{"values": [...], "limit": n}``: distinct values of one detected field."""
    found = _collect(_entries(ctx, query, start, end, line_limit)).get(name)
    return {"values": sorted(found.values)[:limit] if found else [], "limit": limit}


def detected_labels(ctx: QueryContext, query: str, start: int, end: int) -> dict[str, Any]:
    """``{"detectedLabels": [{label, cardinality}]}`` for the streams of ``query``'s selector."""
    where = where_sql(ast.LogQuery(matchers_of(query)), time_sql(start, end)) if query else time_sql(start, end)
    rows = ctx.rows(f"SELECT k AS label, uniqExact(v) AS cardinality FROM {ctx.db}.logs "
                    f"ARRAY JOIN mapKeys(labels) AS k, mapValues(labels) AS v WHERE {where} GROUP BY k ORDER BY k")
    kept = [{"label": r["label"], "cardinality": int(r["cardinality"])} for r in rows
            if r["label"] in STATIC_LABELS or 2 <= int(r["cardinality"]) <= 50]
    return {"detectedLabels": kept}


PATTERN_LINES = 20_000  # newest lines mined per request: patterns are a sample's, counts too


def _level(e: Entry) -> str:
    return e.labels.get("level") or e.labels.get("detected_level") or e.meta.get("detected_level") or "unknown"


def log_patterns(ctx: QueryContext, query: str, start: int, end: int, step: int, limit: int) -> list[dict[str, Any]]:
    """Loki's ``patterns`` data for the newest :data:`PATTERN_LINES` lines of ``query`` in ``[start, end)``."""
    parsed = parse_log_query(query)
    lines: list[tuple[int, str, str]] = []
    for e in pipeline_entries(ctx, parsed, filter_sql(parsed, time_sql(start, end)), backward=True):
        lines.append((e.ts, e.line, _level(e)))
        if len(lines) >= PATTERN_LINES:
            break
    lines.reverse()  # mined oldest first, as they arrived
    return mine(lines, start, max(step, 1), limit)
