"""A label's value in SQL, resolved exactly as the Python pipeline's ``Entry.get`` resolves it.

Stream labels first; then structured metadata: attributes under their sanitised names, the
``trace_id``/``span_id`` columns (which win over attributes), ``severity_text`` and
``detected_level`` (which attributes of those names override). Label filters on such values
before any parser, and groupings by them, then run in ClickHouse instead of Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from meshscope.logql import ast
from meshscope.storage.sql import quote

# Loki's detected_level words from the normalised severity number (0: unknown → no label).
DETECTED_LEVEL_SQL = ("multiIf(severity_number >= 21, 'critical', severity_number >= 17, 'error', "
                      "severity_number >= 13, 'warn', severity_number >= 9, 'info', severity_number >= 5, "
                      "'debug', severity_number >= 1, 'trace', '')")
_SANITIZED_KEY = "concat(if(match(k, '^[0-9]'), '_', ''), replaceRegexpAll(k, '[^a-zA-Z0-9_]', '_'))"


def _attribute(name: str) -> tuple[str, str]:
    """(value, present) of the attribute whose sanitised key is ``name`` (the last one wins)."""
    if re.fullmatch(r"[a-zA-Z][a-zA-Z0-9]*", name):  # sanitising only adds '_': the key is the name
        return f"attributes[{quote(name)}]", f"mapContains(attributes, {quote(name)})"
    test = f"{_SANITIZED_KEY} = {quote(name)}"
    return (f"arrayLast((v, k) -> {test}, mapValues(attributes), mapKeys(attributes))",
            f"arrayExists(k -> {test}, mapKeys(attributes))")


def metadata_sql(name: str) -> str:
    """The structured metadata value ``name`` on a row ('' when absent)."""
    value, present = _attribute(name)
    if name in ("trace_id", "span_id"):
        return f"if({name} != '', {name}, {value})"
    if name == "severity_text":
        return f"if({present}, {value}, toString(severity_text))"
    if name == "detected_level":
        return f"if({present}, {value}, {DETECTED_LEVEL_SQL})"
    return value


def label_sql(name: str) -> str:
    """The value of label ``name`` on a row ('' when absent)."""
    if name == "service_name":  # always a stream label (see model.logs); the column is cheaper
        return "toString(service_name)"
    return f"if(mapContains(labels, {quote(name)}), labels[{quote(name)}], {metadata_sql(name)})"


def pushable(expr: ast.LabelFilterExpr) -> bool:
    """String comparisons (and their and/or) never set errors, so SQL gives Python's answer."""
    if isinstance(expr, (ast.FilterAnd, ast.FilterOr)):
        return pushable(expr.left) and pushable(expr.right)
    return isinstance(expr, ast.StringFilter)


def label_filter_sql(expr: ast.LabelFilterExpr, resolve: Callable[[str], str] | None = None) -> str:
    """SQL for a pushable filter; ``resolve`` gives a label's value (default: before any parser)."""
    resolve = resolve or label_sql
    if isinstance(expr, ast.FilterAnd):
        return f"({label_filter_sql(expr.left, resolve)} AND {label_filter_sql(expr.right, resolve)})"
    if isinstance(expr, ast.FilterOr):
        return f"({label_filter_sql(expr.left, resolve)} OR {label_filter_sql(expr.right, resolve)})"
    assert isinstance(expr, ast.StringFilter)
    value = resolve(expr.name)
    if expr.op in ("=", "!="):
        return f"{value} {expr.op} {quote(expr.value)}"
    test = f"match({value}, {quote(f'^(?:{expr.value})$')})"
    return test if expr.op == "=~" else f"NOT {test}"
