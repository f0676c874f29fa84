"""rate/increase/delta extrapolation and the instant-rate functions."""

from __future__ import annotations

import math

import pytest

from meshscope.promql import Vector
from unit.promql.helpers import engine, every, labels

MIN = 60_000


def value(query: str, samples: list[tuple[int, float]], at: int) -> float | None:
    result = engine({labels("x"): samples}).instant(query, at)
    assert isinstance(result, Vector)
    return result.samples[0].value if result.samples else None


@pytest.mark.parametrize(("query", "samples", "at", "expected"), [
    # samples cover the window exactly: no extrapolation
    ("increase(x[4m])", every(MIN, [0, 10, 20, 30, 40]), 4 * MIN, 40),
    # window starts 30s before the first sample (< 1.1 intervals): extrapolate to the edge
    ("increase(x[4m30s])", every(MIN, [100, 110, 120, 130, 140]), 4 * MIN, 45),
    # ...unless a counter starting at 0 would then have been negative
    ("increase(x[4m30s])", every(MIN, [0, 10, 20, 30, 40]), 4 * MIN, 40),
    # a gap far longer than the sample interval: only half an interval is added
    ("increase(x[10m])", every(MIN, [100, 110, 120], start_ms=8 * MIN), 10 * MIN, 25),
    # a counter is never extrapolated below zero: at this slope it was 0 10s before the first sample
    ("increase(x[2m])", every(MIN, [10, 70], start_ms=MIN), 2 * MIN, 70),
    # a reset: 30 → 5 counts as +5
    ("increase(x[2m])", every(MIN, [20, 30, 5]), 2 * MIN, 15),
    ("rate(x[4m])", every(MIN, [0, 60, 120, 180, 240]), 4 * MIN, 1.0),
    ("delta(x[2m])", every(MIN, [10, 5, -5]), 2 * MIN, -15),
    ("irate(x[5m])", every(MIN, [0, 10, 40]), 2 * MIN, 0.5),
    ("irate(x[5m])", every(MIN, [0, 40, 10]), 2 * MIN, 10 / 60),  # reset: counts from zero
    ("idelta(x[5m])", every(MIN, [0, 40, 10]), 2 * MIN, -30),
    ("deriv(x[5m])", every(MIN, [1, 2, 3]), 2 * MIN, 1 / 60),
    ("deriv(x[5m])", every(MIN, [7, 7, 7]), 2 * MIN, 0.0),
    ("predict_linear(x[5m], 60)", every(MIN, [1, 2, 3]), 2 * MIN, 4.0),
    ("resets(x[5m])", every(MIN, [3, 1, 2, 0]), 3 * MIN, 2),
    ("changes(x[5m])", every(MIN, [1, 1, 2, math.nan, math.nan]), 4 * MIN, 2),
])
def test_window_functions(query: str, samples: list[tuple[int, float]], at: int, expected: float) -> None:
    got = value(query, samples, at)
    assert got is not None and got == pytest.approx(expected)


@pytest.mark.parametrize("query", ["rate(x[1m])", "irate(x[1m])", "deriv(x[1m])", "delta(x[1m])"])
def test_one_sample_is_not_enough(query: str) -> None:
    assert value(query, every(MIN, [5]), 0) is None


def test_range_mode_matches_instant_mode_at_every_step() -> None:
    samples = every(15_000, [float(v) for v in [0, 3, 7, 2, 9, 12, 12, 30, 1, 4, 8, 15, 16, 40, 41]])
    eng = engine({labels("x", job="a"): samples})
    matrix = eng.range("rate(x[1m])", 30_000, 200_000, 10_000)
    (series,) = matrix.series
    for t, v in zip(series.timestamps.tolist(), series.values.tolist(), strict=True):
        instant = eng.instant("rate(x[1m])", t)
        assert isinstance(instant, Vector)
        assert instant.samples[0].value == pytest.approx(v)
