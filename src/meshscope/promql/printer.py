"""Syntax tree → PromQL text (single line), e.g. for the ``format_query`` API and for tests.

``parse_query(format_expr(tree)) == tree`` holds for every tree the parser produces: parentheses
are kept as :class:`~.ast.Paren` nodes, so nothing needs to be added for precedence.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from meshscope.promql import ast
from meshscope.promql.labels import METRIC_NAME, quote

_UNITS = (("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
          ("s", 1000), ("ms", 1))


def format_duration(ms: int) -> str:
    """Milliseconds as Prometheus writes durations: ``90000`` → ``1m30s``."""
    if ms == 0:
        return "0s"
    sign, ms = ("-", -ms) if ms < 0 else ("", ms)
    parts = []
    for unit, size in _UNITS:
        if ms >= size:
            parts.append(f"{ms // size}{unit}")
            ms %= size
    return sign + "".join(parts)


def format_number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Inf" if value > 0 else "-Inf"
    return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _modifiers(offset_ms: int, at: ast.At | None) -> str:
    text = ""
    if at is not None:
        text += f" @ {at.edge}()" if at.edge else f" @ {at.time_ms / 1000:.3f}"  # type: ignore[operator]
    if offset_ms:
        text += f" offset {format_duration(offset_ms)}"
    return text


def _selector(node: ast.VectorSelector) -> str:
    matchers = [m for m in node.matchers if not (node.name and m.name == METRIC_NAME and m.op == "=")]
    body = "{" + ",".join(f"{m.name}{m.op}{quote(m.value)}" for m in matchers) + "}" if matchers else ""
    return (node.name or "") + (body or ("" if node.name else "{}"))


def _matching(node: ast.Binary) -> str:
    text = " bool" if node.return_bool else ""
    m = node.matching
    if m is None:
        return text
    if m.on or m.labels:
        text += f" {'on' if m.on else 'ignoring'}({', '.join(m.labels)})"
    if m.card in ("many-to-one", "one-to-many"):
        text += f" group_{'left' if m.card == 'many-to-one' else 'right'}({', '.join(m.include)})"
    return text


def _aggregate(node: ast.Aggregate) -> str:
    grouping = f" {'without' if node.without else 'by'} ({', '.join(node.grouping)})" \
        if node.without or node.grouping else ""
    param = f"{format_expr(node.param)}, " if node.param is not None else ""
    return f"{node.op}{grouping} ({param}{format_expr(node.expr)})"


_FORMATTERS: dict[type, Callable[[Any], str]] = {
    ast.NumberLiteral: lambda n: format_number(n.value),
    ast.StringLiteral: lambda n: quote(n.value),
    ast.Paren: lambda n: f"({format_expr(n.expr)})",
    ast.Unary: lambda n: f"-{format_expr(n.expr)}",
    ast.VectorSelector: lambda n: _selector(n) + _modifiers(n.offset_ms, n.at),
    ast.MatrixSelector: lambda n: f"{_selector(n.selector)}[{format_duration(n.range_ms)}]"
                                  + _modifiers(n.selector.offset_ms, n.selector.at),
    ast.Subquery: lambda n: f"{format_expr(n.expr)}[{format_duration(n.range_ms)}:"
                            f"{format_duration(n.step_ms) if n.step_ms else ''}]" + _modifiers(n.offset_ms, n.at),
    ast.Call: lambda n: f"{n.func}({', '.join(format_expr(a) for a in n.args)})",
    ast.Aggregate: _aggregate,
    ast.Binary: lambda n: f"{format_expr(n.lhs)} {n.op}{_matching(n)} {format_expr(n.rhs)}",
}


def format_expr(node: ast.Expr) -> str:
    return _FORMATTERS[type(node)](node)
