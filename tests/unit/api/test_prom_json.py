"""Prometheus' JSON number and time formats (Go's strconv.FormatFloat 'f', -1)."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from meshscope.api.prom_json import format_time, format_value, format_values


@pytest.mark.parametrize("value, text", [
    (1.0, "1"), (0.0, "0"), (-2.0, "-2"), (0.5, "0.5"), (1e-05, "0.00001"), (1.5e-7, "0.00000015"),
    (123456.789, "123456.789"), (1e21, "1000000000000000000000"), (math.nan, "NaN"), (math.inf, "+Inf"),
    (-math.inf, "-Inf"), (0.1 + 0.2, "0.30000000000000004"),
])
def test_values(value: float, text: str) -> None:
    assert format_value(value) == text


def test_times() -> None:
    assert format_time(1_700_000_000_000) == "1700000000"
    assert format_time(1_700_000_000_123) == "1700000000.123"
    assert format_time(1_700_000_000_100) == "1700000000.1"


def test_whole_arrays_format_like_single_values() -> None:
    rng = random.Random(11)
    edges = [0.0, -0.0, 1e-3, -1e-3, 9.999999999999999e-4, 1e-4, 9.999999999999999e-05, 1e15, 1e15 - 1, -1e15,
             1e16, 9999999999999998.0, 2.0**53, 1e21, 5e-324, 2.2250738585072014e-308, math.nan, math.inf, -math.inf,
             0.1 + 0.2, 123456.789, 2e8, 1.0 / 3]
    randoms = [rng.choice([1, -1]) * 10 ** rng.uniform(-8, 22) for _ in range(2000)]
    integers = [float(rng.randrange(-10**17, 10**17)) for _ in range(500)]
    values = np.array(edges + randoms + integers)
    for array in (values, np.array(integers), np.array(edges[:5])):  # mixed, all integral, short
        assert format_values(array) == [format_value(v) for v in array.tolist()]
