"""Counter and gauge functions over range vectors: rate family, regression, smoothing, resets.

Every function takes :class:`~.windows.Windows` and per-step scalar arguments and returns
``(values, present)`` shaped (series, steps). Semantics follow Prometheus 2.42, including
``rate``'s extrapolation: extend to the window edges when the first/last sample is within 1.1
average sample intervals of them (else by half an interval), never extrapolate a counter below zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from meshscope.promql.errors import EvaluationError
from meshscope.promql.sequential import Sequences, plain_sum, regression
from meshscope.promql.source import F64
from meshscope.promql.values import BOOL
from meshscope.promql.windows import Windows

RangeResult = tuple[F64, BOOL]
RangeFunc = Callable[[Windows, Sequence[F64]], RangeResult]


def extrapolated(w: Windows, is_counter: bool, is_rate: bool) -> RangeResult:
    """``rate``/``increase`` (counters) and ``delta`` (gauges) with Prometheus' extrapolation."""
    count = w.count
    ok = count >= 2
    first_i, last_i = w.lo, w.hi - 1
    first_v, last_v = w.at(first_i, w.vals, ok), w.at(last_i, w.vals, ok)
    first_t, last_t = w.at(first_i, w.ts, ok), w.at(last_i, w.ts, ok)
    result = last_v - first_v
    if is_counter:
        result = _add_resets(w, result)
    range_start = (w.end_ms - w.range_ms)[None, :]
    to_start = (first_t - range_start) / 1000
    to_end = (w.end_ms[None, :] - last_t) / 1000
    sampled = (last_t - first_t) / 1000
    average = sampled / (count - 1)
    if is_counter:
        to_zero = sampled * (first_v / result)
        clip = (result > 0) & (first_v >= 0) & (to_zero < to_start)
        to_start = np.where(clip, to_zero, to_start)
    threshold = average * 1.1
    interval = sampled + np.where(to_start < threshold, to_start, average / 2)
    interval = interval + np.where(to_end < threshold, to_end, average / 2)
    factor = interval / sampled
    if is_rate:  # per second: divide the factor, not the result (same last bits as Prometheus)
        factor = factor / (w.range_ms / 1000)
    return result * factor, ok


def _add_resets(w: Windows, result: F64) -> F64:
    """Add the value before each counter reset in the window, one after the other as Prometheus
    does (the order only matters, to the last bit, where a window holds several resets)."""
    prev = np.concatenate([[0.0], w.vals[:-1]])
    is_reset = w.has_prev & (w.vals < prev)
    if not is_reset.any():  # most windows of most counters have none: skip the passes
        return result
    lost = np.where(is_reset, prev, 0.0)
    out = (result + w.window_sum(lost, skip_first=True)).ravel()
    several = np.flatnonzero(w.window_count(is_reset, skip_first=True).ravel() >= 2)
    if len(several):
        seq = Sequences(w.lo.ravel()[several] + 1, w.count.ravel()[several] - 1)
        out[several] = plain_sum(seq, lost, result.ravel()[several])
    return out.reshape(result.shape)


def instant_change(w: Windows, is_rate: bool) -> RangeResult:
    """``irate``/``idelta``: from the last two samples of each window."""
    ok = w.count >= 2
    last_v, prev_v = w.at(w.hi - 1, w.vals, ok), w.at(w.hi - 2, w.vals, ok)
    result = last_v - prev_v
    if is_rate:
        result = np.where(last_v < prev_v, last_v, result)  # a counter reset: count from zero
        elapsed = (w.at(w.hi - 1, w.ts, ok) - w.at(w.hi - 2, w.ts, ok)) / 1000
        result = result / elapsed
    return result, ok


def _flag_sum(w: Windows, flags: np.ndarray) -> RangeResult:
    return w.window_count(flags, skip_first=True), w.count >= 1


def resets(w: Windows, _: Sequence[F64]) -> RangeResult:
    prev = np.concatenate([[0.0], w.vals[:-1]])
    return _flag_sum(w, w.has_prev & (w.vals < prev))


def changes(w: Windows, _: Sequence[F64]) -> RangeResult:
    prev = np.concatenate([[0.0], w.vals[:-1]])
    same = (w.vals == prev) | (np.isnan(w.vals) & np.isnan(prev))
    return _flag_sum(w, w.has_prev & ~same)


def deriv(w: Windows, _: Sequence[F64]) -> RangeResult:
    ok = w.count >= 2
    first_ts = w.ts[np.minimum(w.lo.ravel(), max(len(w.ts) - 1, 0))] if len(w.ts) else np.zeros(w.lo.size)
    slope, _intercept = regression(w.sequences, w.ts, w.vals, first_ts.astype(np.float64))
    return np.where(ok, slope.reshape(w.lo.shape), np.nan), ok


def predict_linear(w: Windows, args: Sequence[F64]) -> RangeResult:
    """The regression line evaluated ``duration`` seconds after the evaluation (step) time."""
    ok = w.count >= 2
    steps = np.broadcast_to(w.step_times[None, :], w.lo.shape).ravel().astype(np.float64)
    slope, intercept = regression(w.sequences, w.ts, w.vals, steps)
    duration = np.broadcast_to(args[0][None, :], w.lo.shape)
    return np.where(ok, slope.reshape(w.lo.shape) * duration + intercept.reshape(w.lo.shape), np.nan), ok


def holt_winters(w: Windows, args: Sequence[F64]) -> RangeResult:
    """Double exponential smoothing with smoothing factor ``sf`` and trend factor ``tf``."""
    sf_steps, tf_steps = args[0], args[1]
    used = (w.count >= 1).any(axis=0)
    for name, factor in (("smoothing", args[0]), ("trend", args[1])):
        bad = used & ~((factor > 0) & (factor < 1))
        if bad.any():
            raise EvaluationError(f"invalid {name} factor. Expected: 0 < {name[0]}f < 1, "
                                  f"got: {factor[bad][0]:f}")
    n_steps = w.lo.shape[1]
    out = np.full(w.lo.size, np.nan)
    for idx, vals, _ts, mask in w.gather(min_count=2):
        out[idx] = _smooth(vals, mask, sf_steps[idx % n_steps], tf_steps[idx % n_steps])
    return out.reshape(w.lo.shape), w.count >= 2


def _smooth(vals: F64, mask: BOOL, sf: F64, tf: F64) -> F64:
    s0 = np.zeros(len(vals))
    s1 = vals[:, 0].copy()
    trend = vals[:, 1] - vals[:, 0]
    for i in range(1, vals.shape[1]):
        active = mask[:, i]
        new_trend = trend if i == 1 else tf * (s1 - s0) + (1 - tf) * trend
        smoothed = sf * vals[:, i] + (1 - sf) * (s1 + new_trend)
        s0 = np.where(active, s1, s0)
        s1 = np.where(active, smoothed, s1)
        trend = np.where(active, new_trend, trend)
    return s1


RATE_FUNCTIONS: dict[str, RangeFunc] = {
    "rate": lambda w, _: extrapolated(w, True, True),
    "increase": lambda w, _: extrapolated(w, True, False),
    "delta": lambda w, _: extrapolated(w, False, False),
    "irate": lambda w, _: instant_change(w, True),
    "idelta": lambda w, _: instant_change(w, False),
    "resets": resets,
    "changes": changes,
    "deriv": deriv,
    "predict_linear": predict_linear,
    "holt_winters": holt_winters,
}
