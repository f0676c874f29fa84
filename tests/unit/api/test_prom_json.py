"""Prometheus' JSON number and time formats (Go's strconv.FormatFloat 'f', -1)."""

from __future__ import annotations

import math

import pytest

from meshscope.api.prom_json import format_time, format_value


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
