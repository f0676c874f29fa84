"""The PromQL evaluator: walks the syntax tree, evaluating every node for all steps at once.

``Engine.instant`` and ``Engine.range`` parse (cached), evaluate over a step grid and shape the
answer as Prometheus does. Nodes are dispatched by type through a table; each handler returns a
:class:`StepVector`, :class:`ScalarSteps`, :class:`StringValue` or, for range-vector nodes,
:class:`Windows`. Limits (samples held at once, deadline) are checked after every node.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from meshscope.promql import ast, planning
from meshscope.promql.aggregations import aggregate
from meshscope.promql.binary import evaluate as evaluate_binary
from meshscope.promql.errors import BadQuery, EvaluationError, QueryTimeoutError, TooManySamples
from meshscope.promql.functions import INSTANT_FUNCTIONS, CallInfo, absent_labels
from meshscope.promql.labels import drop_name, drop_names
from meshscope.promql.overtime import OVER_TIME_FUNCTIONS
from meshscope.promql.parse import parse_query
from meshscope.promql.rate import RATE_FUNCTIONS
from meshscope.promql.results import to_instant_result, to_range_result
from meshscope.promql.selectors import instant_lookup, sort_by_labels
from meshscope.promql.source import I64, SelectHints, SeriesBlock, SeriesSource
from meshscope.promql.values import (
    Grid,
    Matrix,
    QueryValue,
    ScalarSteps,
    StepVector,
    StringValue,
    require_unique_labels,
    steps_without_samples,
)
from meshscope.promql.windows import Windows

Value = StepVector | ScalarSteps | StringValue | Windows
RANGE_FUNCTIONS = {**RATE_FUNCTIONS, **OVER_TIME_FUNCTIONS}


@dataclass(frozen=True)
class EngineOptions:
    """Prometheus' defaults: ``--query.lookback-delta``, ``--query.max-samples``,
    ``--query.timeout`` and the global evaluation interval (the step of ``[5m:]`` subqueries)."""

    lookback_ms: int = 300_000
    max_samples: int = 50_000_000
    timeout_s: float = 120.0
    default_subquery_step_ms: int = 60_000


class Engine:
    """Evaluates PromQL against a :class:`SeriesSource`; safe to share between threads."""

    def __init__(self, source: SeriesSource, options: EngineOptions | None = None) -> None:
        self.source = source
        self.options = options or EngineOptions()

    def instant(self, query: str | ast.Expr, time_ms: int) -> QueryValue:
        expr = parse_query(query) if isinstance(query, str) else query
        grid = Grid(time_ms, time_ms, 0)
        with np.errstate(all="ignore"):
            value = _Evaluation(self, expr, grid).run()
            return to_instant_result(value, time_ms)

    def range(self, query: str | ast.Expr, start_ms: int, end_ms: int, step_ms: int) -> Matrix:
        if step_ms <= 0:
            raise BadQuery("zero or negative query resolution step widths are not accepted. "
                           "Try a positive integer")
        if end_ms < start_ms:
            raise BadQuery("end timestamp must not be before start time")
        expr = parse_query(query) if isinstance(query, str) else query
        grid = Grid(start_ms, end_ms, step_ms)
        with np.errstate(all="ignore"):
            value = _Evaluation(self, expr, grid).run()
            return to_range_result(value, grid)


class _Evaluation:
    """One query's evaluation: its grid, limits and storage hints."""

    def __init__(self, engine: Engine, expr: ast.Expr, grid: Grid) -> None:
        self.source = engine.source
        self.opts = engine.options
        self.expr = expr
        self.grid = grid
        self.deadline = time.monotonic() + self.opts.timeout_s
        self.live = 0
        self.contexts = planning.selector_contexts(expr)
        self.push = getattr(self.source, "pushdown", None)
        self.handlers: dict[type, Callable[[Any, Grid], Value]] = {
            ast.NumberLiteral: lambda n, g: ScalarSteps(np.full(g.n, n.value)),
            ast.StringLiteral: lambda n, g: StringValue(n.value),
            ast.Paren: lambda n, g: self.eval(n.expr, g),
            ast.Unary: self._unary,
            ast.VectorSelector: self._vector_selector,
            ast.MatrixSelector: self._matrix_selector,
            ast.Subquery: self._subquery,
            ast.Call: self._call,
            ast.Aggregate: self._aggregate,
            ast.Binary: self._binary,
        }

    def run(self) -> Value:
        return self.eval(self.expr, self.grid)

    def eval(self, node: ast.Expr, grid: Grid) -> Value:
        if time.monotonic() > self.deadline:
            raise QueryTimeoutError()
        before = self.live
        pushed = self._pushdown(node, grid)
        if pushed is not None:
            value: Value = pushed
        elif grid.n > 1 and not isinstance(node, (ast.MatrixSelector, ast.Subquery, ast.NumberLiteral)) \
                and planning.is_step_invariant(node):
            value = _broadcast(self.handlers[type(node)](node, Grid(grid.start_ms, grid.start_ms, 0)), grid.n)
        else:
            value = self.handlers[type(node)](node, grid)
        self.live = before + _size(value)
        if self.live > self.opts.max_samples:
            raise TooManySamples()
        return value

    def _pushdown(self, node: ast.Expr, grid: Grid) -> StepVector | None:
        """Let a source that can (see :class:`PushdownSource`) evaluate a whole function call or
        aggregation itself, e.g. ``sum by (job) (rate(x[5m]))`` in SQL."""
        if self.push is None or not isinstance(node, (ast.Call, ast.Aggregate)):
            return None
        pushed = self.push(node, grid.times, self.opts.lookback_ms)
        if pushed is not None and not isinstance(pushed, StepVector):
            raise TypeError(f"pushdown must return a StepVector or None, not {type(pushed).__name__}")
        return pushed

    def vector(self, node: ast.Expr, grid: Grid) -> StepVector:
        value = self.eval(node, grid)
        assert isinstance(value, StepVector), f"expected an instant vector, got {type(value).__name__}"
        return value

    def scalar(self, node: ast.Expr, grid: Grid) -> ScalarSteps:
        value = self.eval(node, grid)
        assert isinstance(value, ScalarSteps), f"expected a scalar, got {type(value).__name__}"
        return value

    # ---- selectors -----------------------------------------------------------------------

    def _times(self, at: ast.At | None, offset_ms: int, grid: Grid) -> I64:
        """Per step, the time a selector looks at: the step (or its @ time) minus the offset."""
        if at is None:
            return grid.times - offset_ms
        pinned = at.time_ms if at.edge is None else (self.grid.start_ms if at.edge == "start" else self.grid.end_ms)
        assert pinned is not None
        return np.full(grid.n, pinned - offset_ms, dtype=np.int64)

    def _select(self, node: ast.VectorSelector, start: int, end: int, grid: Grid, range_ms: int) -> SeriesBlock:
        ctx = self.contexts.get(id(node), planning.SelectorContext())
        hints = SelectHints(start, end, grid.step_ms, range_ms, ctx.func, ctx.grouping, ctx.by, self.opts.lookback_ms)
        block = sort_by_labels(self.source.select(node.matchers, start, end, hints))
        self._check_cells(len(block.timestamps))
        self._check_cells(len(block) * grid.n)  # the (series, steps) arrays built from it
        return block

    def _check_cells(self, cells: int) -> None:
        """Refuse before allocating: dense per-step arrays cost memory even where series are absent."""
        if self.live + cells > self.opts.max_samples:
            raise TooManySamples()

    def _lookup(self, node: ast.VectorSelector, grid: Grid) -> tuple[StepVector, I64]:
        times = self._times(node.at, node.offset_ms, grid)
        block = self._select(node, int(times.min()) - self.opts.lookback_ms, int(times.max()), grid, 0)
        return instant_lookup(block, times, self.opts.lookback_ms)

    def _vector_selector(self, node: ast.VectorSelector, grid: Grid) -> StepVector:
        return self._lookup(node, grid)[0].without_empty_rows()

    def _matrix_selector(self, node: ast.MatrixSelector, grid: Grid) -> Windows:
        sel = node.selector
        ends = self._times(sel.at, sel.offset_ms, grid)
        block = self._select(sel, int(ends.min()) - node.range_ms, int(ends.max()), grid, node.range_ms)
        return Windows.build(block, ends, node.range_ms, grid.times)

    def _subquery(self, node: ast.Subquery, grid: Grid) -> Windows:
        step = node.step_ms or self.opts.default_subquery_step_ms
        ends = self._times(node.at, node.offset_ms, grid)
        first = -((node.range_ms - int(ends.min())) // step) * step  # first multiple of step >= start
        last = int(ends.max())
        if first > last:
            inner_times = np.empty(0, dtype=np.int64)
            inner = StepVector.empty(0)
        else:
            inner_grid = Grid(first, last, step)
            self._check_cells(inner_grid.n)
            inner_times, inner = inner_grid.times, self.vector(node.expr, inner_grid)
        return Windows.from_steps(inner, inner_times, ends, node.range_ms, grid.times)

    # ---- operators and functions ------------------------------------------------------------

    def _unary(self, node: ast.Unary, grid: Grid) -> Value:
        value = self.eval(node.expr, grid)
        if isinstance(value, ScalarSteps):
            return ScalarSteps(-value.values)
        assert isinstance(value, StepVector)
        return require_unique_labels(StepVector([drop_name(lb) for lb in value.labels], -value.values, value.present))

    def _binary(self, node: ast.Binary, grid: Grid) -> Value:
        lhs, rhs = self.eval(node.lhs, grid), self.eval(node.rhs, grid)
        assert isinstance(lhs, (StepVector, ScalarSteps)) and isinstance(rhs, (StepVector, ScalarSteps))
        return evaluate_binary(node, lhs, rhs)

    def _aggregate(self, node: ast.Aggregate, grid: Grid) -> Value:
        vec = self.vector(node.expr, grid)
        param: Any = None
        if node.param is not None:
            value = self.eval(node.param, grid)
            param = value.value if isinstance(value, StringValue) else value.values  # type: ignore[union-attr]
        return aggregate(node.op, vec, node.grouping, node.without, param)

    def _call(self, node: ast.Call, grid: Grid) -> Value:
        if node.func in RANGE_FUNCTIONS:
            return self._range_call(node, grid)
        if node.func == "absent_over_time":
            windows = self._windows(node.args[0], grid)
            missing = steps_without_samples(windows.count >= 1)
            return StepVector([absent_labels(node.args[0])], np.ones((1, grid.n)), missing[None, :])
        if node.func == "timestamp":
            return self._timestamp(node, grid)
        args = [self.eval(a, grid) for a in node.args]
        return INSTANT_FUNCTIONS[node.func](args, CallInfo(node.args, grid.times))  # type: ignore[arg-type]

    def _windows(self, node: ast.Expr, grid: Grid) -> Windows:
        value = self.eval(node, grid)
        if not isinstance(value, Windows):
            raise EvaluationError(f"expected a range vector, got {type(value).__name__}")
        return value

    def _range_call(self, node: ast.Call, grid: Grid) -> StepVector:
        matrix_arg = 1 if node.func == "quantile_over_time" else 0
        windows = self._windows(node.args[matrix_arg], grid)
        scalars = [self.scalar(a, grid).values for i, a in enumerate(node.args) if i != matrix_arg]
        values, present = RANGE_FUNCTIONS[node.func](windows, scalars)
        labels, distinct = (windows.labels, False) if node.func == "last_over_time" else drop_names(windows.labels)
        vec = StepVector(labels, values, present).without_empty_rows()
        return vec if distinct else require_unique_labels(vec)

    def _timestamp(self, node: ast.Call, grid: Grid) -> StepVector:
        arg = ast.unwrap_parens(node.args[0])
        if isinstance(arg, ast.VectorSelector):  # the samples' own times, not the step's
            vec, sample_ts = self._lookup(arg, grid)
            vec = StepVector(vec.labels, sample_ts / 1000, vec.present).without_empty_rows()
        else:
            vec = self.vector(arg, grid)
            vec = StepVector(vec.labels, np.broadcast_to(grid.times / 1000, vec.values.shape).copy(), vec.present)
        return vec.relabeled([drop_name(lb) for lb in vec.labels])


def _size(value: Value) -> int:
    if isinstance(value, StepVector):
        return int(value.present.sum())
    if isinstance(value, ScalarSteps):
        return len(value.values)
    if isinstance(value, Windows):
        return len(value.ts)
    return 0


def _broadcast(value: Value, n: int) -> Value:
    """A value computed for one step, repeated for ``n`` steps."""
    if isinstance(value, StepVector):
        return StepVector(value.labels, np.repeat(value.values, n, axis=1), np.repeat(value.present, n, axis=1))
    if isinstance(value, ScalarSteps):
        return ScalarSteps(np.repeat(value.values, n))
    return value

