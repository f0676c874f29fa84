"""Shaping evaluated values into Prometheus' result types."""

from __future__ import annotations

import numpy as np

from meshscope.promql.errors import BadQuery
from meshscope.promql.values import (
    Grid,
    Matrix,
    QueryValue,
    RangeSeries,
    Sample,
    Scalar,
    ScalarSteps,
    StepVector,
    String,
    StringValue,
    Vector,
)
from meshscope.promql.windows import Windows


def to_instant_result(value: object, time_ms: int) -> QueryValue:
    if isinstance(value, StepVector):
        rows = np.flatnonzero(value.present[:, 0])
        return Vector(tuple(Sample(value.labels[i], time_ms, float(value.values[i, 0])) for i in rows))
    if isinstance(value, ScalarSteps):
        return Scalar(time_ms, float(value.values[0]))
    if isinstance(value, StringValue):
        return String(time_ms, value.value)
    assert isinstance(value, Windows)
    series = []
    for i, labels in enumerate(value.labels):
        lo, hi = int(value.lo[i, 0]), int(value.hi[i, 0])
        if lo < hi:
            series.append(RangeSeries(labels, value.ts[lo:hi].copy(), value.vals[lo:hi].copy()))
    return Matrix(tuple(series))


def to_range_result(value: object, grid: Grid) -> Matrix:
    if isinstance(value, ScalarSteps):
        return Matrix((RangeSeries((), grid.times.copy(), value.values.copy()),))
    if isinstance(value, StepVector):
        series = []
        for i in sorted(range(len(value.labels)), key=value.labels.__getitem__):
            mask = value.present[i]
            if mask.any():
                series.append(RangeSeries(value.labels[i], grid.times[mask], value.values[i][mask]))
        return Matrix(tuple(series))
    kind = "string" if isinstance(value, StringValue) else "range vector"
    raise BadQuery(f'invalid expression type "{kind}" for range query, must be Scalar or instant Vector')
