"""Calendar parts of Unix timestamps (UTC), in numpy integer arithmetic.

Values are truncated to whole seconds toward zero, as Prometheus' ``time.Unix(int64(v), 0)``
does. Days become civil dates with the proleptic Gregorian "days from civil" algorithm
(H. Hinnant), exact for any int64 second. Values Go cannot convert to int64 (NaN, ±Inf, beyond
±2^63) become its "integer indefinite" -2^63, which Go's calendar shows as
292277026596-12-04 15:30 UTC, a Sunday; we answer with that date too.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from meshscope.promql.source import F64

_LIMIT = 2.0**63
# year, month, day of month, day of year, day of week, days in month, hour, minute
_GO_OVERFLOW = {"year": 292277026596, "month": 12, "day_of_month": 4, "day_of_year": 339, "day_of_week": 0,
                "days_in_month": 31, "hour": 15, "minute": 30}
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month 1-12, day 1-31) of days since 1970-01-01."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (month <= 2), month, day


def _leap(year: np.ndarray) -> np.ndarray:
    return (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))  # type: ignore[no-any-return]


def _day_of_year(days: np.ndarray) -> np.ndarray:
    year, month, day = _civil(days)
    before = np.concatenate([[0], np.cumsum(_MONTH_DAYS)])[month - 1]
    return before + day + ((month > 2) & _leap(year))  # type: ignore[no-any-return]


def _days_in_month(days: np.ndarray) -> np.ndarray:
    year, month, _ = _civil(days)
    return _MONTH_DAYS[month - 1] + ((month == 2) & _leap(year))  # type: ignore[no-any-return]


_PARTS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "year": lambda s: _civil(s // 86_400)[0],
    "month": lambda s: _civil(s // 86_400)[1],
    "day_of_month": lambda s: _civil(s // 86_400)[2],
    "day_of_year": lambda s: _day_of_year(s // 86_400),
    "day_of_week": lambda s: (s // 86_400 + 4) % 7,  # 1970-01-01 was a Thursday
    "days_in_month": lambda s: _days_in_month(s // 86_400),
    "hour": lambda s: s % 86_400 // 3600,
    "minute": lambda s: s % 3600 // 60,
}


def _part(name: str) -> Callable[[F64], F64]:
    def part(v: F64) -> F64:
        overflow = ~np.isfinite(v) | (v >= _LIMIT) | (v <= -_LIMIT)
        seconds = np.trunc(np.where(overflow, 0.0, v)).astype(np.int64)
        result: F64 = np.where(overflow, float(_GO_OVERFLOW[name]), _PARTS[name](seconds).astype(np.float64))
        return result
    return part


DATE_PARTS: dict[str, Callable[[F64], F64]] = {name: _part(name) for name in _PARTS}
