"""Running LogQL: parse, evaluate log or metric queries, and shape Loki's ``data`` objects.

Metric expressions are evaluated by dispatching on node type; each node gives a
:class:`~.series.Matrix` over the query's step grid or a :class:`~.series.Scalar`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import singledispatch
from typing import Any

import numpy as np

from meshscope.errors import BadData
from meshscope.logql import metric_ast as m
from meshscope.logql.aggregation import aggregate, label_replace
from meshscope.logql.ast import LogQuery
from meshscope.logql.binary import binary
from meshscope.logql.context import QueryContext, QueryLimits
from meshscope.logql.logs_eval import select, streams
from meshscope.logql.parser import parse
from meshscope.logql.range_eval import evaluate_range
from meshscope.logql.series import Grid, Matrix, Scalar, Value, matrix_json, scalar_json, to_matrix, vector_json
from meshscope.storage.executor import Executor

INSTANT_LOG_QUERY = ("log queries are not supported as an instant query type, please change your query to a "
                     "range query type")


@dataclass(frozen=True)
class RangeQuery:
    """A query over ``[start, end]``: ``step`` for metrics, ``limit``/``direction`` for lines."""

    text: str
    start_ns: int
    end_ns: int
    step_ns: int
    limit: int = 100
    backward: bool = True
    categorize_labels: bool = False


@singledispatch
def evaluate(node: object, ctx: QueryContext, grid: Grid) -> Value:
    raise BadData(f"unsupported expression {node}")


@evaluate.register
def _range(node: m.RangeAggregation, ctx: QueryContext, grid: Grid) -> Value:
    return evaluate_range(ctx, node, grid)


# Range functions whose per-group value is the sum of the per-series values: ``sum by`` over
# them may group lines before counting (far fewer series when parsers add unique labels).
_SUMMABLE = ("count_over_time", "rate", "bytes_over_time", "bytes_rate", "sum_over_time")


@evaluate.register
def _vector_agg(node: m.VectorAggregation, ctx: QueryContext, grid: Grid) -> Value:
    inner = node.expr
    if (node.op == "sum" and isinstance(inner, m.RangeAggregation) and inner.op in _SUMMABLE
            and inner.grouping is None):
        inner = replace(inner, grouping=node.grouping or m.Grouping(False, ()))
    return aggregate(node, to_matrix(evaluate(inner, ctx, grid), grid))


@evaluate.register
def _label_replace(node: m.LabelReplace, ctx: QueryContext, grid: Grid) -> Value:
    return label_replace(node, to_matrix(evaluate(node.expr, ctx, grid), grid))


@evaluate.register
def _binary(node: m.BinaryOp, ctx: QueryContext, grid: Grid) -> Value:
    return binary(node, evaluate(node.lhs, ctx, grid), evaluate(node.rhs, ctx, grid))


@evaluate.register
def _number(node: m.NumberLiteral, ctx: QueryContext, grid: Grid) -> Value:
    return Scalar(node.value)


@evaluate.register
def _vector(node: m.VectorLiteral, ctx: QueryContext, grid: Grid) -> Value:
    return Matrix(grid, {(): np.full(grid.size, node.value)})


class LogQLEngine:
    """LogQL over the ``logs`` table of one executor; answers are Loki's ``data`` objects."""

    def __init__(self, executor: Executor, limits: QueryLimits | None = None) -> None:
        self.executor = executor
        self.limits = limits or QueryLimits()

    def context(self) -> QueryContext:
        return QueryContext(self.executor, self.limits)

    def query_range(self, q: RangeQuery) -> dict[str, Any]:
        if q.end_ns < q.start_ns:
            raise BadData("end timestamp must not be before or equal to start time")
        expr = parse(q.text)
        ctx = self.context()
        if isinstance(expr, LogQuery):
            entries = select(ctx, expr, q.start_ns, q.end_ns, q.limit, q.backward)
            data = {"resultType": "streams", "result": streams(entries, q.categorize_labels),
                    "stats": ctx.stats.summary()}
            if q.categorize_labels:
                data["encodingFlags"] = ["categorize-labels"]
            return data
        if q.step_ns <= 0:
            raise BadData("zero or negative query resolution step widths are not accepted. Try a positive integer")
        if (q.end_ns - q.start_ns) // q.step_ns + 1 > self.limits.max_points:
            raise BadData(f"exceeded maximum resolution of {self.limits.max_points} points per timeseries. "
                          "Try decreasing the query resolution (?step=XX)")
        grid = Grid(q.start_ns, q.end_ns, q.step_ns)
        value = to_matrix(evaluate(expr, ctx, grid), grid)
        return {"resultType": "matrix", "result": matrix_json(value), "stats": ctx.stats.summary()}

    def query_instant(self, text: str, time_ns: int) -> dict[str, Any]:
        expr = parse(text)
        if isinstance(expr, LogQuery):
            raise BadData(INSTANT_LOG_QUERY)
        ctx = self.context()
        grid = Grid(time_ns, time_ns, 0)
        value = evaluate(expr, ctx, grid)
        if isinstance(value, Scalar):
            return {"resultType": "scalar", "result": scalar_json(value, grid), "stats": ctx.stats.summary()}
        return {"resultType": "vector", "result": vector_json(value), "stats": ctx.stats.summary()}
