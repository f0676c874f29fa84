"""Values the evaluator passes between nodes, and the results it hands to callers.

Inside the engine every instant-vector expression is evaluated for all steps of a query at once
into a :class:`StepVector`: one row per series, one column per step, with a ``present`` mask
(NaN is a legitimate sample value, so absence needs its own bit). Scalars are one value per step.
Callers get Prometheus' result types: :class:`Vector`, :class:`Scalar`, :class:`String` for
instant queries and :class:`Matrix` for range queries (and for instant queries of range vectors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import cast

import numpy as np
import numpy.typing as npt

from meshscope.promql.errors import EvaluationError
from meshscope.promql.labels import Labels
from meshscope.promql.source import F64, I64

BOOL = npt.NDArray[np.bool_]
DUPLICATE_LABELSET = "vector cannot contain metrics with the same labelset"


@dataclass(frozen=True)
class Grid:
    """The evaluation timestamps of a query (or of a subquery): start, start+step, … ≤ end."""

    start_ms: int
    end_ms: int
    step_ms: int

    @cached_property
    def times(self) -> I64:
        if self.step_ms <= 0 or self.end_ms == self.start_ms:
            return np.array([self.start_ms], dtype=np.int64)
        return np.arange(self.start_ms, self.end_ms + 1, self.step_ms, dtype=np.int64)

    @property
    def n(self) -> int:
        return len(self.times)


@dataclass
class StepVector:
    """An instant vector at every step: ``values``/``present`` have shape (series, steps)."""

    labels: list[Labels]
    values: F64
    present: BOOL

    @staticmethod
    def empty(n: int) -> StepVector:
        return StepVector([], np.empty((0, n)), np.empty((0, n), dtype=bool))

    def __len__(self) -> int:
        return len(self.labels)

    def rows(self, idx: npt.NDArray[np.intp] | list[int]) -> StepVector:
        index = np.asarray(idx, dtype=np.intp)
        return StepVector([self.labels[i] for i in index], self.values[index], self.present[index])

    def without_empty_rows(self) -> StepVector:
        keep = np.flatnonzero(self.present.any(axis=1))
        return self if len(keep) == len(self.labels) else self.rows(keep)

    def relabeled(self, labels: list[Labels]) -> StepVector:
        """The same samples under new labels; rows that now share labels are merged."""
        return merge_duplicates(StepVector(labels, self.values, self.present))


@dataclass(frozen=True)
class ScalarSteps:
    """A scalar at every step."""

    values: F64


@dataclass(frozen=True)
class StringValue:
    value: str


def steps_without_samples(present: BOOL) -> BOOL:
    """Steps at which no row has a sample (every step when there are no rows)."""
    return cast(BOOL, ~np.any(present, axis=0))


def require_unique_labels(vec: StepVector) -> StepVector:
    """Reject equal label sets even at different steps (what 2.42 does for unary minus and
    range-vector functions, which check the whole result instead of each step)."""
    if len(set(vec.labels)) != len(vec.labels):
        raise EvaluationError(DUPLICATE_LABELSET)
    return vec


def merge_duplicates(vec: StepVector) -> StepVector:
    """Join rows with equal labels, which is an error where two of them have a sample at one step."""
    if len(set(vec.labels)) == len(vec.labels):
        return vec
    groups: dict[Labels, list[int]] = {}
    for i, lbls in enumerate(vec.labels):
        groups.setdefault(lbls, []).append(i)
    labels, values, present = [], [], []
    for lbls, idx in groups.items():
        p = vec.present[idx]
        if len(idx) > 1 and (p.sum(axis=0) > 1).any():
            raise EvaluationError(DUPLICATE_LABELSET)
        v = vec.values[idx]
        first = np.argmax(p, axis=0)
        labels.append(lbls)
        values.append(v[first, np.arange(v.shape[1])])
        present.append(p.any(axis=0))
    return StepVector(labels, np.array(values).reshape(len(labels), -1),
                      np.array(present, dtype=bool).reshape(len(labels), -1))


# ---- results handed to callers -------------------------------------------------------------

@dataclass(frozen=True)
class Sample:
    labels: Labels
    t_ms: int
    value: float


@dataclass(frozen=True)
class Vector:
    samples: tuple[Sample, ...]


@dataclass(frozen=True)
class Scalar:
    t_ms: int
    value: float


@dataclass(frozen=True)
class String:
    t_ms: int
    value: str


@dataclass(frozen=True)
class RangeSeries:
    labels: Labels
    timestamps: I64 = field(compare=False)
    values: F64 = field(compare=False)


@dataclass(frozen=True)
class Matrix:
    series: tuple[RangeSeries, ...]


QueryValue = Vector | Scalar | String | Matrix
