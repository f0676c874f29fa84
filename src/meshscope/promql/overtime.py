"""``<aggregation>_over_time`` functions: one value per window of each series.

Extremes reduce the flat sample array with ``reduceat``; sums, means and variances fold each
window in sample order with Prometheus' compensated arithmetic (:mod:`.sequential`); quantiles
sort padded per-window matrices from :meth:`~.windows.Windows.gather`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from meshscope.promql.rate import RangeFunc, RangeResult
from meshscope.promql.sequential import kahan_mean, kahan_sum, kahan_variance
from meshscope.promql.source import F64
from meshscope.promql.values import BOOL
from meshscope.promql.windows import Windows


def count_over_time(w: Windows, _: Sequence[F64]) -> RangeResult:
    return w.count.astype(np.float64), w.count >= 1


def present_over_time(w: Windows, _: Sequence[F64]) -> RangeResult:
    return np.ones(w.lo.shape), w.count >= 1


def last_over_time(w: Windows, _: Sequence[F64]) -> RangeResult:
    ok = w.count >= 1
    return w.at(w.hi - 1, w.vals, ok), ok


def sum_over_time(w: Windows, _: Sequence[F64]) -> RangeResult:
    return kahan_sum(w.sequences, w.vals).reshape(w.lo.shape), w.count >= 1


def min_over_time(w: Windows, _: Sequence[F64]) -> RangeResult:
    return w.window_reduce(np.fmin, w.vals, np.nan), w.count >= 1  # NaN only if all are NaN


def max_over_time(w: Windows, _: Sequence[F64]) -> RangeResult:
    return w.window_reduce(np.fmax, w.vals, np.nan), w.count >= 1


def avg_over_time(w: Windows, _: Sequence[F64]) -> RangeResult:
    return kahan_mean(w.sequences, w.vals).reshape(w.lo.shape), w.count >= 1


def _variance(w: Windows) -> RangeResult:
    return kahan_variance(w.sequences, w.vals).reshape(w.lo.shape), w.count >= 1


def stdvar_over_time(w: Windows, _: Sequence[F64]) -> RangeResult:
    return _variance(w)


def stddev_over_time(w: Windows, _: Sequence[F64]) -> RangeResult:
    var, ok = _variance(w)
    return np.sqrt(var), ok


def quantile_over_time(w: Windows, args: Sequence[F64]) -> RangeResult:
    n_steps = w.lo.shape[1]
    out = np.full(w.lo.size, np.nan)
    for idx, vals, _ts, mask in w.gather():
        out[idx] = quantile_rows(args[0][idx % n_steps], vals, mask)
    return out.reshape(w.lo.shape), w.count >= 1


def quantile_rows(q: F64, vals: F64, mask: BOOL) -> F64:
    """φ-quantile of each row's masked values, interpolating between neighbours (NaNs sort first)."""
    n = mask.sum(axis=1)
    nan = np.isnan(vals) & mask
    n_nan = nan.sum(axis=1)
    # NaN sorts like -Inf and padding like +Inf; the first n_nan slots are then given back as NaN.
    ordered = np.sort(np.where(mask, np.where(nan, -np.inf, vals), np.inf), axis=1)
    rank = q * (n - 1)
    floor = np.floor(np.nan_to_num(rank))
    lower = np.clip(floor, 0, np.maximum(n - 1, 0)).astype(np.intp)
    upper = np.minimum(n - 1, lower + 1).astype(np.intp)
    weight = rank - floor
    rows = np.arange(len(vals))
    low_v = np.where(lower < n_nan, np.nan, ordered[rows, lower])
    high_v = np.where(upper < n_nan, np.nan, ordered[rows, upper])
    result = low_v * (1 - weight) + high_v * weight
    result = np.where(q < 0, -np.inf, np.where(q > 1, np.inf, result))
    return np.where(np.isnan(q), np.nan, result)


OVER_TIME_FUNCTIONS: dict[str, RangeFunc] = {
    "count_over_time": count_over_time,
    "present_over_time": present_over_time,
    "last_over_time": last_over_time,
    "sum_over_time": sum_over_time,
    "min_over_time": min_over_time,
    "max_over_time": max_over_time,
    "avg_over_time": avg_over_time,
    "stdvar_over_time": stdvar_over_time,
    "stddev_over_time": stddev_over_time,
    "quantile_over_time": quantile_over_time,
}
