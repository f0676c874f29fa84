"""Facts about a syntax tree the evaluator needs before it runs: storage hints and step invariance.

*Hints*: a selector that is the argument of a function (``rate(x[5m])``), possibly under an
aggregation (``sum by (job) (rate(x[5m]))``), tells storage so through :class:`SelectHints`.

*Step invariance*: a sub-expression whose selectors are all pinned with ``@`` and that uses no
clock-dependent function gives the same answer at every step; a range query evaluates it once.
"""

from __future__ import annotations

from dataclasses import dataclass

from meshscope.promql import ast

CLOCK_FUNCTIONS = frozenset({"time", "predict_linear", "timestamp", "year", "month", "day_of_month",
                             "day_of_week", "day_of_year", "days_in_month", "hour", "minute"})


@dataclass(frozen=True)
class SelectorContext:
    func: str | None = None
    grouping: tuple[str, ...] = ()
    by: bool = False


def selector_contexts(root: ast.Expr) -> dict[int, SelectorContext]:
    """``id(VectorSelector)`` → the function and aggregation directly around it."""
    found: dict[int, SelectorContext] = {}
    for node in ast.walk(root):
        agg = None
        if isinstance(node, ast.Aggregate):
            agg, node = node, ast.unwrap_parens(node.expr)
        if not isinstance(node, ast.Call):
            continue
        for arg in node.args:
            selector = _selector_of(ast.unwrap_parens(arg))
            if selector is not None:
                grouping = agg.grouping if agg else ()
                # walk() visits the aggregation before the call: keep the richer context
                by = agg is not None and not agg.without
                found.setdefault(id(selector), SelectorContext(node.func, grouping, by))
    return found


def _selector_of(node: ast.Expr) -> ast.VectorSelector | None:
    if isinstance(node, ast.MatrixSelector):
        return node.selector
    return node if isinstance(node, ast.VectorSelector) else None


def is_step_invariant(node: ast.Expr) -> bool:
    if isinstance(node, (ast.NumberLiteral, ast.StringLiteral)):
        return True
    if isinstance(node, ast.VectorSelector):
        return node.at is not None
    if isinstance(node, ast.MatrixSelector):
        return node.selector.at is not None
    if isinstance(node, ast.Subquery):
        return node.at is not None
    if isinstance(node, ast.Call):
        if node.func == "timestamp":
            arg = ast.unwrap_parens(node.args[0])
            return isinstance(arg, ast.VectorSelector) and arg.at is not None
        if node.func in CLOCK_FUNCTIONS:
            return False
    return all(is_step_invariant(child) for child in ast.children(node))
