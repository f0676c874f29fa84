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
    """``rate``/``increase`` (counters) and ``delta`` (gauges) with Prometheus' extrapolation.

    Every window at once, in Prometheus' operation order (so the last bits agree). Windows with
    fewer than two samples read clipped indices and give NaN at the end; buffers are reused where
    an operation allows, since each array holds (series × steps) floats.
    """
    count = w.count
    ok = count >= 2
    if len(w.ts) == 0:
        return np.full(count.shape, np.nan), ok
    first_i, last_i = w.lo, w.hi - 1
    first_v, last_v = np.take(w.vals, first_i, mode="clip"), np.take(w.vals, last_i, mode="clip")
    first_t, last_t = np.take(w.ts, first_i, mode="clip"), np.take(w.ts, last_i, mode="clip")
    result = last_v - first_v
    if is_counter:
        result = _add_resets(w, result)
    to_start = np.divide(first_t - (w.end_ms - w.range_ms)[None, :], 1000)
    to_end = np.divide(w.end_ms[None, :] - last_t, 1000)
    sampled = np.divide(last_t - first_t, 1000)
    average = sampled / (count - 1)
    if is_counter:  # a counter is not extrapolated below zero
        to_zero = np.divide(first_v, result)
        to_zero *= sampled
        clip = result > 0
        clip &= first_v >= 0
        clip &= to_zero < to_start
        np.copyto(to_start, to_zero, where=clip)
    threshold, half = average * 1.1, average / 2
    interval = np.where(to_start < threshold, to_start, half)
    interval += sampled
    interval += np.where(to_end < threshold, to_end, half)
    factor = np.divide(interval, sampled, out=interval)
    if is_rate:  # per second: divide the factor, not the result (same last bits as Prometheus)
        factor /= w.range_ms / 1000
    result = np.multiply(result, factor, out=factor)
    np.copyto(result, np.nan, where=~ok)
    return result, ok


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
