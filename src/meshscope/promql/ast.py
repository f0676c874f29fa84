"""meshscope's own PromQL syntax tree: small frozen dataclasses the engine dispatches on.

The tree is translated from ``promql-parser``'s nodes (see :mod:`.parse`) so that the engine
depends on plain values with millisecond integers instead of ``timedelta``/``datetime`` objects,
and so tests can rewrite a tree (e.g. pin every selector with ``@``) without string surgery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, cast

from meshscope.promql.matchers import LabelMatcher

AtEdge = Literal["start", "end"]
Card = Literal["one-to-one", "many-to-one", "one-to-many", "many-to-many"]


@dataclass(frozen=True)
class At:
    """An ``@`` modifier: a fixed time in ms, or the query's ``start()``/``end()``."""

    time_ms: int | None = None
    edge: AtEdge | None = None


@dataclass(frozen=True)
class NumberLiteral:
    value: float


@dataclass(frozen=True)
class StringLiteral:
    value: str


@dataclass(frozen=True)
class VectorSelector:
    name: str | None
    matchers: tuple[LabelMatcher, ...]
    offset_ms: int = 0
    at: At | None = None


@dataclass(frozen=True)
class MatrixSelector:
    selector: VectorSelector
    range_ms: int


@dataclass(frozen=True)
class Subquery:
    expr: Expr
    range_ms: int
    step_ms: int  # 0: the engine's default evaluation interval
    offset_ms: int = 0
    at: At | None = None


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Aggregate:
    op: str
    expr: Expr
    param: Expr | None
    grouping: tuple[str, ...]
    without: bool


@dataclass(frozen=True)
class VectorMatching:
    card: Card
    on: bool
    labels: tuple[str, ...]
    include: tuple[str, ...] = ()


@dataclass(frozen=True)
class Binary:
    op: str
    lhs: Expr
    rhs: Expr
    matching: VectorMatching | None
    return_bool: bool = False


@dataclass(frozen=True)
class Unary:
    op: str
    expr: Expr


@dataclass(frozen=True)
class Paren:
    expr: Expr


Expr = (NumberLiteral | StringLiteral | VectorSelector | MatrixSelector | Subquery | Call | Aggregate
        | Binary | Unary | Paren)
EXPR_TYPES = (NumberLiteral, StringLiteral, VectorSelector, MatrixSelector, Subquery, Call, Aggregate,
              Binary, Unary, Paren)


def children(expr: Expr) -> Iterator[Expr]:
    """Direct sub-expressions in source order."""
    for f in fields(expr):
        value = getattr(expr, f.name)
        if isinstance(value, EXPR_TYPES):
            yield value
        elif isinstance(value, tuple):
            yield from (v for v in value if isinstance(v, EXPR_TYPES))


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node, parents before children."""
    yield expr
    for child in children(expr):
        yield from walk(child)


def transform(expr: Expr, fn: Callable[[Expr], Expr | None]) -> Expr:
    """A copy of ``expr`` where ``fn`` may replace a node (returning None keeps it and recurses)."""
    replaced = fn(expr)
    if replaced is not None:
        return replaced
    changes: dict[str, object] = {}
    for f in fields(expr):
        value = getattr(expr, f.name)
        if isinstance(value, EXPR_TYPES):
            changes[f.name] = transform(value, fn)
        elif isinstance(value, tuple) and any(isinstance(v, EXPR_TYPES) for v in value):
            changes[f.name] = tuple(transform(v, fn) if isinstance(v, EXPR_TYPES) else v for v in value)
    return replace(cast(Any, expr), **changes) if changes else expr


def unwrap_parens(expr: Expr) -> Expr:
    while isinstance(expr, Paren):
        expr = expr.expr
    return expr
