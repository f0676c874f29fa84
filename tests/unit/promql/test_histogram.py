"""histogram_quantile over classic buckets: edge cases beyond the upstream test file."""

from __future__ import annotations

import math

import pytest

from meshscope.promql import EvaluationError, Vector
from unit.promql.helpers import engine, labels


def quantile(q: float, buckets: dict[str, float]) -> list[float]:
    series = {labels("h_bucket", le=le): [(0, count)] for le, count in buckets.items()}
    result = engine(series).instant(f"histogram_quantile({q}, h_bucket)", 0)
    assert isinstance(result, Vector)
    return [s.value for s in result.samples]


@pytest.mark.parametrize(("q", "buckets", "expected"), [
    (0.5, {"1": 10, "2": 20, "+Inf": 20}, 1.0),
    (0.75, {"1": 10, "2": 20, "+Inf": 20}, 1.5),
    (0.9, {"1": 10, "+Inf": 20}, 1.0),  # rank in the +Inf bucket: the highest finite bound
    (0.5, {"1": 10, "2": 5, "+Inf": 20}, 1.0),  # non-monotonic counts are made monotonic first
    (0.5, {"0.5": 5, "5e-1": 5, "1": 20, "+Inf": 20}, 0.5),  # equal bounds are summed
    (0.1, {"-1": 10, "0": 20, "+Inf": 20}, -1.0),  # lowest bucket with a bound <= 0
    (2.0, {"1": 10, "+Inf": 10}, math.inf),
    (-1.0, {"1": 10, "+Inf": 10}, -math.inf),
])
def test_quantile(q: float, buckets: dict[str, float], expected: float) -> None:
    assert quantile(q, buckets) == [pytest.approx(expected)]


@pytest.mark.parametrize("buckets", [
    {"1": 10, "2": 20},  # no +Inf bucket
    {"+Inf": 10},  # a single bucket
    {"1": 0, "+Inf": 0},  # no observations
])
def test_unusable_histograms_give_nan(buckets: dict[str, float]) -> None:
    (got,) = quantile(0.5, buckets)
    assert math.isnan(got)


def test_series_without_a_numeric_le_are_ignored() -> None:
    assert quantile(0.5, {"1": 10, "+Inf": 20, "abc": 1000}) == [pytest.approx(1.0)]


def test_buckets_missing_at_a_step_do_not_split_the_range() -> None:
    series = {
        labels("h_bucket", le="1"): [(0, 0.0)],
        labels("h_bucket", le="2"): [(0, 10.0), (600_000, 10.0)],  # le="1" is gone at 10m
        labels("h_bucket", le="+Inf"): [(0, 10.0), (600_000, 10.0)],
    }
    matrix = engine(series).range("histogram_quantile(0.5, h_bucket)", 0, 600_000, 600_000)
    (s,) = matrix.series
    assert s.values.tolist() == [pytest.approx(1.5), pytest.approx(1.0)]


def test_two_histograms_with_the_same_labels_fail() -> None:
    series = {labels(name, le=le): [(0, 1.0)] for name in ("a_bucket", "b_bucket") for le in ("1", "+Inf")}
    with pytest.raises(EvaluationError, match="same labelset"):
        engine(series).instant('histogram_quantile(0.5, {__name__=~".+_bucket"})', 0)
