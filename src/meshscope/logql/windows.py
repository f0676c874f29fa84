"""Range functions over samples in windows ``(t - range, t]``, one value per grid step.

Samples of one series arrive as sorted timestamps (ns) and values; counting functions use
prefix sums, the others slice each window (windows with no sample give NaN, as in Loki).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Reducer = Callable[[np.ndarray], float]


def _quantile(q: float) -> Reducer:
    def reduce(v: np.ndarray) -> float:
        if q < 0:
            return float("-inf")
        if q > 1:
            return float("inf")
        s = np.sort(v)
        rank = q * (len(s) - 1)
        lo = int(np.floor(rank))
        hi = min(lo + 1, len(s) - 1)
        return float(s[lo] + (s[hi] - s[lo]) * (rank - lo))
    return reduce


def _rate_counter(range_s: float) -> Reducer:
    def reduce(v: np.ndarray) -> float:
        if len(v) < 2:
            return float("nan")
        deltas = np.diff(v)
        increase = float(np.where(deltas >= 0, deltas, v[1:]).sum())
        return increase / range_s
    return reduce


_SLICED: dict[str, Reducer] = {
    "min_over_time": lambda v: float(v.min()), "max_over_time": lambda v: float(v.max()),
    "stddev_over_time": lambda v: float(v.std()), "stdvar_over_time": lambda v: float(v.var()),
    "first_over_time": lambda v: float(v[0]), "last_over_time": lambda v: float(v[-1]),
}


def window_bounds(ts: np.ndarray, ends: np.ndarray, range_ns: int) -> tuple[np.ndarray, np.ndarray]:
    lo = np.searchsorted(ts, ends - range_ns, side="right")
    hi = np.searchsorted(ts, ends, side="right")
    return lo, hi


def over_time(op: str, ts: np.ndarray, values: np.ndarray, ends: np.ndarray, range_ns: int,
              param: float | None = None) -> np.ndarray:
    """``op`` of the samples in each window ending at ``ends`` (sample values: 1 per line, or unwrapped)."""
    lo, hi = window_bounds(ts, ends, range_ns)
    count = (hi - lo).astype(float)
    range_s = range_ns / 1e9
    present = count > 0
    sums = np.concatenate([[0.0], np.cumsum(values)])
    total = sums[hi] - sums[lo]
    if op in ("count_over_time", "rate", "bytes_over_time", "bytes_rate", "sum_over_time", "avg_over_time"):
        out = {"count_over_time": count, "rate": total / range_s, "bytes_over_time": total,
               "bytes_rate": total / range_s, "sum_over_time": total}.get(op)
        if out is None:
            out = np.divide(total, count, out=np.zeros_like(total), where=present)
        return np.where(present, out, np.nan)
    reducer = _SLICED.get(op) or (_quantile(param or 0.0) if op == "quantile_over_time" else _rate_counter(range_s))
    out = np.full(ends.size, np.nan)
    for i in np.nonzero(present)[0]:
        out[i] = reducer(values[lo[i]:hi[i]])
    return out


def bucket_windows(counts: np.ndarray, steps: int, step_buckets: int, range_buckets: int) -> np.ndarray:
    """Window sums from per-bucket sums: window k covers buckets ``(k*s, k*s + r]`` (1-based)."""
    prefix = np.concatenate([[0.0], np.cumsum(counts)])
    k = np.arange(steps) * step_buckets
    result: np.ndarray = prefix[k + range_buckets] - prefix[k]
    return result
