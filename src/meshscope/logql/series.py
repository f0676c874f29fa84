"""Values of metric queries: series on a step grid (NaN where a step has no sample) and scalars."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from meshscope.logql.values import format_value

Labels = tuple[tuple[str, str], ...]


def labels_key(labels: Mapping[str, str]) -> Labels:
    return tuple(sorted(labels.items()))


@dataclass(frozen=True)
class Grid:
    """Evaluation times ``start, start+step, ... <= end`` in nanoseconds (an instant query has one)."""

    start_ns: int
    end_ns: int
    step_ns: int

    @property
    def times(self) -> np.ndarray:
        n = (self.end_ns - self.start_ns) // self.step_ns + 1 if self.step_ns else 1
        return self.start_ns + np.arange(n, dtype=np.int64) * max(self.step_ns, 1)

    @property
    def size(self) -> int:
        return int(self.times.size)


@dataclass
class Matrix:
    """Series by label set; every array has one value per grid step."""

    grid: Grid
    series: dict[Labels, np.ndarray] = field(default_factory=dict)
    order: int = 0  # sort (1) / sort_desc (-1): instant results by value; range results keep label order

    def empty_like(self) -> Matrix:
        return Matrix(self.grid)


@dataclass(frozen=True)
class Scalar:
    value: float


Value = Matrix | Scalar


def _time(ns: int) -> float | int:
    return ns // 10**9 if ns % 10**9 == 0 else ns / 1e9


def matrix_json(m: Matrix) -> list[dict[str, Any]]:
    """Prometheus ``matrix`` results: ``[{"metric": {...}, "values": [[t, "v"], ...]}]``."""
    times = m.grid.times
    out = []
    for labels, values in sorted(m.series.items()):
        points = [[_time(int(t)), format_value(float(v))]
                  for t, v in zip(times, values, strict=True) if not np.isnan(v)]
        if points:
            out.append({"metric": dict(labels), "values": points})
    return out


def vector_json(m: Matrix) -> list[dict[str, Any]]:
    """Prometheus ``vector`` results at the grid's last step."""
    t = _time(int(m.grid.times[-1]))
    out = []
    items = sorted(m.series.items())
    if m.order:
        items.sort(key=lambda kv: m.order * float(kv[1][-1]))
    for labels, values in items:
        if not np.isnan(values[-1]):
            out.append({"metric": dict(labels), "value": [t, format_value(float(values[-1]))]})
    return out


def scalar_json(s: Scalar, grid: Grid) -> list[Any]:
    return [_time(grid.end_ns), format_value(s.value)]


def to_matrix(value: Value, grid: Grid) -> Matrix:
    """A scalar becomes one series without labels, as ``vector(s)`` does."""
    if isinstance(value, Matrix):
        return value
    return Matrix(grid, {(): np.full(grid.size, value.value)})
