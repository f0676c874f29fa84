"""Calendar parts of Unix timestamps (UTC), vectorised with numpy's datetime64.

Values are truncated to whole seconds toward zero, as Prometheus' ``time.Unix(int64(v), 0)`` does;
non-finite values give NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from meshscope.promql.source import F64


def _seconds(v: F64) -> tuple[np.ndarray, np.ndarray]:
    finite = np.isfinite(v) & (np.abs(v) < 1e15)
    return np.where(finite, np.trunc(np.where(finite, v, 0)), 0).astype(np.int64), finite


def _part(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[F64], F64]:
    def part(v: F64) -> F64:
        secs, finite = _seconds(v)
        return np.where(finite, fn(secs).astype(np.float64), np.nan)
    return part


def _days(secs: np.ndarray) -> np.ndarray:
    return secs.astype("datetime64[s]").astype("datetime64[D]")


def _months(secs: np.ndarray) -> np.ndarray:
    return secs.astype("datetime64[s]").astype("datetime64[M]")


def _years(secs: np.ndarray) -> np.ndarray:
    return secs.astype("datetime64[s]").astype("datetime64[Y]")


def _days_in_month(secs: np.ndarray) -> np.ndarray:
    month = _months(secs)
    days: np.ndarray = ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)
    return days


DATE_PARTS: dict[str, Callable[[F64], F64]] = {
    "year": _part(lambda s: _years(s).astype(np.int64) + 1970),
    "month": _part(lambda s: _months(s).astype(np.int64) % 12 + 1),
    "day_of_month": _part(lambda s: (_days(s) - _months(s).astype("datetime64[D]")).astype(np.int64) + 1),
    "day_of_year": _part(lambda s: (_days(s) - _years(s).astype("datetime64[D]")).astype(np.int64) + 1),
    "day_of_week": _part(lambda s: (_days(s).astype(np.int64) + 4) % 7),  # 1970-01-01 was a Thursday
    "days_in_month": _part(_days_in_month),
    "hour": _part(lambda s: (s // 3600) % 24),
    "minute": _part(lambda s: (s // 60) % 60),
}
