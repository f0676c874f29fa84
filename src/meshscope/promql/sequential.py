"""Order-dependent float folds, operation for operation as Prometheus 2.42 computes them.

Measured against Debian's Prometheus 2.42 build: ``sum_over_time``, ``avg_over_time``,
``stddev/stdvar_over_time`` and the regression of ``deriv``/``predict_linear`` use Kahan-Neumaier
compensated sums; the aggregations ``avg`` and ``stddev/stdvar`` use a plain running mean and
Welford's variance seeded with the group's first value. The last bits of these differ from a
numpy reduction, and they matter once a result meets ``%``, ``==``, ``floor`` or a counter-reset
test — so we fold in the same order with the same operations.

:class:`Sequences` holds many sequences laid out contiguously in one flat array and folds them
position by position, longest first, so each round works on a prefix of the state arrays: the
cost is one numpy pass per position over the sequences still running, with no padding.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from meshscope.promql.source import F64, I64


class _Scratch:
    """Reusable buffers: the folds run many short numpy passes, and allocating fresh arrays for
    every pass would cost more than the arithmetic."""

    def __init__(self, size: int) -> None:
        self.t, self.a, self.b = np.empty(size), np.empty(size), np.empty(size)
        self.mask = np.empty(size, dtype=bool)


class Sequences:
    """Sequence ``i`` is ``flat[starts[i] : starts[i] + lengths[i]]`` (empty ones allowed)."""

    def __init__(self, starts: I64, lengths: I64) -> None:
        self.order = np.argsort(-lengths, kind="stable")
        self.starts = starts[self.order]
        self.lengths = lengths[self.order]
        self.size = len(lengths)
        longest = int(self.lengths[0]) if self.size else 0
        # how many sequences are still running at each position (lengths are sorted descending)
        self.running = np.searchsorted(-self.lengths, -np.arange(longest), side="left")
        self.scratch = _Scratch(int(self.running[0]) if longest else 0)  # per fold: thread-safe

    def positions(self) -> Iterator[tuple[int, I64]]:
        """(position, flat indices of that position in every sequence still running)."""
        for p, k in enumerate(self.running.tolist()):
            yield p, self.starts[:k] + p

    def unsort(self, result: F64) -> F64:
        out = np.empty_like(result)
        out[self.order] = result
        return out


def _kahan(total: F64, comp: F64, inc: F64, scratch: _Scratch) -> None:
    """``total, comp = kahanSumInc(inc, total, comp)`` on a prefix, in place (Neumaier's variant):
    the compensation gains ``(larger - t) + smaller`` where ``t = total + inc``."""
    k = len(inc)
    t, a, b, small = scratch.t[:k], scratch.a[:k], scratch.b[:k], scratch.mask[:k]
    np.add(total, inc, out=t)
    np.abs(total, out=a)
    np.abs(inc, out=b)
    np.less(a, b, out=small)  # total is the smaller one
    np.subtract(total, t, out=a)
    a += inc
    np.subtract(inc, t, out=b)
    b += total
    np.copyto(a, b, where=small)
    comp += a
    total[...] = t


def kahan_sum(seq: Sequences, vals: F64) -> F64:
    total, comp = np.zeros(seq.size), np.zeros(seq.size)
    for _, idx in seq.positions():
        k = len(idx)
        _kahan(total[:k], comp[:k], vals[idx], seq.scratch)
    return seq.unsort(np.where(np.isinf(total), total, total + comp))  # Inf - Inf made comp NaN


def plain_sum(seq: Sequences, vals: F64, start: F64) -> F64:
    """``start`` (per sequence, original order) plus each value in turn, uncompensated."""
    total = start[seq.order].copy()
    for _, idx in seq.positions():
        total[:len(idx)] += vals[idx]
    return seq.unsort(total)


def keeps_infinite_mean(mean: F64, v: F64) -> np.ndarray:
    """An infinite mean stays when the new value cannot change it (Inf of the same sign, or finite)."""
    return np.isinf(mean) & ((np.isinf(v) & ((mean > 0) == (v > 0))) | np.isfinite(v))  # type: ignore[no-any-return]


def kahan_mean(seq: Sequences, vals: F64) -> F64:
    """``avg_over_time``: compensated running mean."""
    mean, comp = np.zeros(seq.size), np.zeros(seq.size)
    for p, idx in seq.positions():
        k = len(idx)
        v, m = vals[idx], mean[:k]
        inc = np.where(keeps_infinite_mean(m, v), 0.0, v / (p + 1) - m / (p + 1))
        _kahan(m, comp[:k], inc, seq.scratch)
    return seq.unsort(np.where(np.isinf(mean), mean, mean + comp))


def kahan_variance(seq: Sequences, vals: F64) -> F64:
    """``stdvar_over_time``: Welford's algorithm with compensated mean and sum of squares."""
    mean, c_mean, aux, c_aux = (np.zeros(seq.size) for _ in range(4))
    for p, idx in seq.positions():
        k = len(idx)
        v = vals[idx]
        delta = v - (mean[:k] + c_mean[:k])
        _kahan(mean[:k], c_mean[:k], delta / (p + 1), seq.scratch)
        _kahan(aux[:k], c_aux[:k], delta * (v - (mean[:k] + c_mean[:k])), seq.scratch)
    return seq.unsort((aux + c_aux) / np.maximum(seq.lengths, 1))


def seeded_mean(seq: Sequences, vals: F64) -> F64:
    """The ``avg`` aggregation: plain running mean started at the group's first value."""
    mean = np.zeros(seq.size)
    for p, idx in seq.positions():
        k = len(idx)
        v, m = vals[idx], mean[:k]
        if p == 0:
            m[:] = v
            continue
        m[:] = np.where(keeps_infinite_mean(m, v), m, m + (v / (p + 1) - m / (p + 1)))
    return seq.unsort(mean)


def seeded_variance(seq: Sequences, vals: F64) -> F64:
    """The ``stdvar`` aggregation: plain Welford whose first value only sets the mean."""
    mean, aux = np.zeros(seq.size), np.zeros(seq.size)
    for p, idx in seq.positions():
        k = len(idx)
        v = vals[idx]
        if p == 0:
            mean[:k] = v
            continue
        delta = v - mean[:k]
        mean[:k] += delta / (p + 1)
        aux[:k] += delta * (v - mean[:k])
    return seq.unsort(aux / np.maximum(seq.lengths, 1))


def regression(seq: Sequences, ts: I64, vals: F64, t0: F64) -> tuple[F64, F64]:
    """Least-squares slope (per second) and intercept at ``t0`` (ms, per sequence, original order),
    with compensated sums; a constant series gets slope 0 exactly."""
    origin = t0[seq.order]
    sums = [np.zeros(seq.size) for _ in range(8)]  # x, y, xy, x² and their compensations
    # (an empty sequence may start past the end; its "first" value is never used)
    first = vals[np.minimum(seq.starts, len(vals) - 1)] if len(vals) else np.zeros(seq.size)
    constant = np.ones(seq.size, dtype=bool)
    for _, idx in seq.positions():
        k = len(idx)
        x, y = (ts[idx] - origin[:k]) / 1e3, vals[idx]
        constant[:k] &= y == first[:k]
        for j, inc in enumerate((x, y, x * y, x * x)):
            _kahan(sums[2 * j][:k], sums[2 * j + 1][:k], inc, seq.scratch)
    n = seq.lengths.astype(np.float64)
    sum_x, sum_y, sum_xy, sum_x2 = (sums[2 * j] + sums[2 * j + 1] for j in range(4))
    slope = (sum_xy - sum_x * sum_y / n) / (sum_x2 - sum_x * sum_x / n)
    intercept = sum_y / n - slope * sum_x / n
    slope = np.where(constant, np.where(np.isinf(first), np.nan, 0.0), slope)
    intercept = np.where(constant, np.where(np.isinf(first), np.nan, first), intercept)
    return seq.unsort(slope), seq.unsort(intercept)
