"""Necessary conditions on the raw line for label filters that follow a parser, checked in SQL.

``{app="x"} | json | status="500"`` keeps a line only if ``500`` is written in it — or the value
came from a stream label or metadata, or the line has a backslash (an escape could spell the value
differently). SQL drops every other line before Python parses anything; the exact filter still
runs in Python, so results are the same and far fewer lines are parsed.
"""

from __future__ import annotations

import re

from meshscope.logql import ast
from meshscope.logql.label_sql import label_sql
from meshscope.logql.sqlgen import split_stages
from meshscope.storage.sql import quote

_PARSERS = (ast.JsonParser, ast.LogfmtParser, ast.RegexpParser, ast.PatternParser)
_PLAIN = re.compile(r"[^\"\\\x00-\x1f]+")
TRUE = "1"


def _condition(expr: ast.LabelFilterExpr) -> str:
    if isinstance(expr, ast.FilterAnd):
        parts = [c for c in (_condition(expr.left), _condition(expr.right)) if c != TRUE]
        return " AND ".join(parts) if parts else TRUE
    if isinstance(expr, ast.FilterOr):
        left, right = _condition(expr.left), _condition(expr.right)
        return TRUE if TRUE in (left, right) else f"(({left}) OR ({right}))"
    if not isinstance(expr, ast.StringFilter) or expr.op != "=" or not _PLAIN.fullmatch(expr.value):
        return TRUE
    value = quote(expr.value)
    return (f"(position(body, {value}) > 0 OR position(body, '\\\\') > 0 "
            f"OR {label_sql(expr.name)} = {value})")


def _reserializes(stage: ast.Stage) -> bool:
    """``json a="path"`` may print an object or array again, spaced differently from the line."""
    return isinstance(stage, ast.JsonParser) and bool(stage.params)


def prefilter_sql(query: ast.LogQuery) -> list[str]:
    """Conditions implied by label filters after parsers (until a stage that could invent values)."""
    from meshscope.logql.parsed_sql import parsed_prefilter

    _, rest = split_stages(query)
    parsed = parsed_prefilter(query)
    out: list[str] = [parsed] if parsed else []
    for stage in rest:
        if isinstance(stage, ast.LabelFilter):
            condition = _condition(stage.expr)
            if condition != TRUE:
                out.append(condition)
        elif not isinstance(stage, (*_PARSERS, ast.DropKeep, ast.LineFilter)) or _reserializes(stage):
            break  # formats, unpack, decolorize: values need not be in the raw line
    return out
