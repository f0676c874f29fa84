"""Aggregation operators (``sum``, ``topk``, ``count_values``, …) over a :class:`StepVector`.

Rows are sorted by group once and reduced with ``ufunc.reduceat`` along the series axis, so each
aggregation is a few numpy calls for all steps together. Group keys follow Prometheus: ``by``
keeps the listed labels, ``without`` drops them and the metric name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from meshscope.promql.errors import EvaluationError
from meshscope.promql.labels import METRIC_NAME, Labels, drop, is_valid_name, keep, with_label
from meshscope.promql.ranking import quantile_per_group, top_k
from meshscope.promql.sequential import Sequences, keeps_infinite_mean, seeded_variance
from meshscope.promql.source import F64
from meshscope.promql.values import StepVector


@dataclass
class Groups:
    """Rows of a vector ordered by group, with each group's first row (``starts``) and key."""

    keys: list[Labels]
    gid: np.ndarray  # group id per original row
    order: np.ndarray  # original row indices, grouped
    starts: np.ndarray  # offsets into ``order`` where each group begins

    @staticmethod
    def of(labels: list[Labels], key: Callable[[Labels], Labels]) -> Groups:
        ids: dict[Labels, int] = {}
        gid = np.fromiter((ids.setdefault(key(lb), len(ids)) for lb in labels), dtype=np.int64,
                          count=len(labels))
        order = np.argsort(gid, kind="stable")
        sorted_gid = gid[order]
        starts = np.flatnonzero(np.r_[True, sorted_gid[1:] != sorted_gid[:-1]]) if len(gid) else gid
        return Groups(list(ids), gid, order, starts)

    def members(self) -> list[np.ndarray]:
        """Original row indices of each group, in row order."""
        return np.split(self.order, self.starts[1:])


def grouping_key(grouping: tuple[str, ...], without: bool) -> Callable[[Labels], Labels]:
    names = frozenset(grouping)
    if without:
        dropped = names | {METRIC_NAME}
        return lambda lb: drop(lb, dropped)
    return lambda lb: keep(lb, names)


def aggregate(op: str, vec: StepVector, grouping: tuple[str, ...], without: bool,
              param: F64 | str | None) -> StepVector:
    n = vec.values.shape[1]
    if len(vec) == 0:
        return StepVector.empty(n)
    key = grouping_key(grouping, without)
    if op == "count_values":
        assert isinstance(param, str)
        return count_values(vec, param, grouping, without)
    groups = Groups.of(vec.labels, key)
    if op in ("topk", "bottomk"):
        assert isinstance(param, np.ndarray)
        return top_k(vec, groups.members(), _k_per_step(param), op == "topk")
    if op == "quantile":
        assert isinstance(param, np.ndarray)
        values, present = quantile_per_group(vec, groups.members(), param)
        return StepVector(groups.keys, values, present)
    values, present = _REDUCERS[op](vec, groups)
    return StepVector(groups.keys, values, present)


def _k_per_step(param: F64) -> np.ndarray:
    finite = np.isfinite(param)
    if (~finite | (np.abs(param) >= 2.0**63)).any():
        bad = param[~finite | (np.abs(param) >= 2.0**63)][0]
        raise EvaluationError(f"Scalar value {format_value(float(bad)) if math.isnan(bad) else f'{bad:g}'} "
                              "overflows int64")
    return np.trunc(param).astype(np.int64)


def _sorted(vec: StepVector, g: Groups) -> tuple[F64, np.ndarray, F64]:
    present = vec.present[g.order]
    values = vec.values[g.order]
    count = np.add.reduceat(present.astype(np.float64), g.starts, axis=0)
    return values, present, count


def _sum(vec: StepVector, g: Groups) -> tuple[F64, np.ndarray]:
    """Each group's rows added one after another in input order, every step at once (numpy's own
    reductions sum pairwise). An absent cell adds -0.0, which leaves any sum bit for bit as is."""
    filled = np.where(vec.present, vec.values, -0.0)
    rounds = _Rounds.of(g)
    total = filled[rounds.rows(0, len(g.keys))]
    for p, k in rounds:
        total[:k] += filled[rounds.rows(p, k)]
    return rounds.unsort(total), np.logical_or.reduceat(vec.present[g.order], g.starts, axis=0)


@dataclass
class _Rounds:
    """A row-by-row fold over groups: round ``p`` adds each group's ``p``-th row. Groups are taken
    longest first, so the groups still running in a round are a prefix of them and the fold state
    is updated through a slice, not a fancy index."""

    order: np.ndarray  # original row indices, grouped (Groups.order)
    first: np.ndarray  # position in ``order`` of each group's first row, groups longest first
    by_size: np.ndarray  # group ids, longest first
    running: list[int]  # from round 1 on: how many groups have a row in that round

    @staticmethod
    def of(g: Groups) -> _Rounds:
        sizes = np.diff(np.append(g.starts, len(g.order)))
        by_size = np.argsort(-sizes, kind="stable")
        running = np.searchsorted(-sizes[by_size], -np.arange(1, int(sizes.max())), side="left")
        return _Rounds(g.order, g.starts[by_size], by_size, running.tolist())

    def __iter__(self) -> Iterator[tuple[int, int]]:
        """(round, groups in it) from round 1 on."""
        return iter(enumerate(self.running, start=1))

    def rows(self, p: int, k: int) -> np.ndarray:
        """Original row indices of round ``p`` of the first ``k`` groups (longest first)."""
        rows: np.ndarray = self.order[self.first[:k] + p]
        return rows

    def unsort(self, state: F64) -> F64:
        """Per-group results, longest first, back in group id order."""
        out = np.empty_like(state)
        out[self.by_size] = state
        return out


def _extreme(ufunc: np.ufunc) -> Callable[[StepVector, Groups], tuple[F64, np.ndarray]]:
    def reduce(vec: StepVector, g: Groups) -> tuple[F64, np.ndarray]:
        values, present, count = _sorted(vec, g)
        return ufunc.reduceat(np.where(present, values, np.nan), g.starts, axis=0), count > 0
    return reduce


def _count(vec: StepVector, g: Groups) -> tuple[F64, np.ndarray]:
    _, _, count = _sorted(vec, g)
    return count, count > 0


def _group(vec: StepVector, g: Groups) -> tuple[F64, np.ndarray]:
    _, _, count = _sorted(vec, g)
    return np.ones_like(count), count > 0


def _folded(vec: StepVector, g: Groups, fold: Callable[[Sequences, F64], F64]) -> tuple[F64, np.ndarray]:
    """Fold each (group, step)'s samples in input row order, as Prometheus iterates its vector."""
    rows, cols = np.nonzero(vec.present)
    n = vec.values.shape[1]
    keys = g.gid[rows] * n + cols
    order = np.argsort(keys, kind="stable")  # rows stay ascending within a key
    count = np.bincount(keys, minlength=len(g.keys) * n)
    starts = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    result = fold(Sequences(starts, count.astype(np.int64)), vec.values[rows, cols][order])
    return result.reshape(len(g.keys), n), count.reshape(len(g.keys), n) > 0


def _avg(vec: StepVector, g: Groups) -> tuple[F64, np.ndarray]:
    """Prometheus' running mean seeded with each cell's first sample, row after row (as
    :func:`~.sequential.seeded_mean` computes it, here for every step of a row at once)."""
    rounds = _Rounds.of(g)
    values, present = vec.values, vec.present
    mean = values[rounds.rows(0, len(g.keys))]
    if present.all() and bool(np.abs(values).max() < 1e300):  # no gaps, no infinite mean possible (NaN: no)
        for p, k in rounds:
            step = values[rounds.rows(p, k)]
            step /= p + 1
            m = mean[:k]
            step -= m / (p + 1)
            m += step  # m + (v / count - m / count), operation for operation
        return rounds.unsort(mean), np.ones(mean.shape, dtype=bool)
    count = present[rounds.rows(0, len(g.keys))].astype(np.float64)
    for p, k in rounds:
        rows = rounds.rows(p, k)
        v, there, m = values[rows], present[rows], mean[:k]
        c = count[:k] + there
        update = there & (c > 1) & ~keeps_infinite_mean(m, v)
        mean[:k] = np.where(there & (c == 1), v, np.where(update, m + (v / c - m / c), m))
        count[:k] = c
    return rounds.unsort(mean), rounds.unsort(count) > 0


def _variance(vec: StepVector, g: Groups) -> tuple[F64, np.ndarray]:
    return _folded(vec, g, seeded_variance)


def _stddev(vec: StepVector, g: Groups) -> tuple[F64, np.ndarray]:
    var, present = _variance(vec, g)
    return np.sqrt(var), present


_REDUCERS: dict[str, Callable[[StepVector, Groups], tuple[F64, np.ndarray]]] = {
    "sum": _sum, "avg": _avg, "count": _count, "group": _group, "min": _extreme(np.fmin),
    "max": _extreme(np.fmax), "stdvar": _variance, "stddev": _stddev,
}


def count_values(vec: StepVector, label: str, grouping: tuple[str, ...], without: bool) -> StepVector:
    """How many series have each value, the value becoming label ``label`` of the group.

    Work in Python is per distinct value and per output series, never per cell: each cell's
    output series is identified by (group of its row without ``label``, value).
    """
    if not is_valid_name(label):
        raise EvaluationError(f'invalid label name "{label}"')
    n = vec.values.shape[1]
    rows, cols = np.nonzero(vec.present)
    if len(rows) == 0:
        return StepVector.empty(n)
    distinct, value_id = np.unique(vec.values[rows, cols], return_inverse=True)  # NaNs fold into one
    key = grouping_key(grouping + ((label,) if not without else ()), without)
    keeps_label = bool(key(((label, "x"),)))  # `without (label)` drops the value label again
    bases = Groups.of([with_label(lb, label, "") for lb in vec.labels], key)
    pair = bases.gid[rows] * len(distinct) + value_id.ravel()
    outputs, out_id = np.unique(pair, return_inverse=True)
    labels = []
    for p in outputs.tolist():
        base = bases.keys[p // len(distinct)]
        labels.append(with_label(base, label, format_value(float(distinct[p % len(distinct)]))) if keeps_label
                      else base)
    counts = np.zeros((len(outputs), n))
    np.add.at(counts, (out_id.ravel(), cols), 1.0)
    return merge_counts(labels, counts)


def merge_counts(labels: list[Labels], counts: F64) -> StepVector:
    """Sum the rows of ``counts`` that ended up with the same labels."""
    index: dict[Labels, int] = {}
    ids = np.array([index.setdefault(lb, len(index)) for lb in labels], dtype=np.intp)
    merged = np.zeros((len(index), counts.shape[1]))
    np.add.at(merged, ids, counts)
    return StepVector(list(index), merged, merged > 0)


def format_value(value: float) -> str:
    """Go's ``strconv.FormatFloat(v, 'f', -1, 64)``: shortest round-trip digits, no exponent."""
    if math.isnan(value):
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    text = repr(value)
    if "e" not in text and "E" not in text:
        return text.removesuffix(".0")
    formatted = format(Decimal(text), "f")
    return formatted.rstrip("0").rstrip(".") if "." in formatted else formatted
