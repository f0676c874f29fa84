"""Exponential-histogram buckets added across scales give what bucketing all the values at the
smaller scale would have given (the property the Collector's deltatocumulative relies on)."""

from __future__ import annotations

import math
import random

import pytest

from meshscope.storage.delta_sums import Point, accumulate
from meshscope.storage.exp_buckets import MAX_BUCKETS, Buckets, ExpHistogram


def index(v: float, scale: int) -> int:
    """Bucket of |v| at ``scale``: upper-inclusive, (base**i, base**(i + 1)]."""
    return math.ceil(math.log2(abs(v)) * 2**scale) - 1


def bucketed(values: list[float], scale: int) -> ExpHistogram:
    def side(vs: list[float]) -> Buckets:
        if not vs:
            return Buckets()
        idx = [index(v, scale) for v in vs]
        first = min(idx)
        counts = [0] * (max(idx) - first + 1)
        for i in idx:
            counts[i - first] += 1
        return Buckets(first, tuple(counts))
    return ExpHistogram(scale, sum(1 for v in values if v == 0),
                        side([v for v in values if v > 0]), side([v for v in values if v < 0]))


def values(rnd: random.Random, n: int, spread: float) -> list[float]:
    out = [rnd.choice((1, 1, 1, -1)) * 2 ** rnd.uniform(-spread, spread) for _ in range(n)]
    return out + [0.0] * rnd.randrange(3)


@pytest.mark.parametrize("seed", range(20))
def test_downscaling_equals_bucketing_at_the_lower_scale(seed: int) -> None:
    rnd = random.Random(seed)
    vs = values(rnd, 200, 6)
    scale, steps = rnd.randrange(-2, 8), rnd.randrange(0, 6)
    assert bucketed(vs, scale).downscaled(steps) == bucketed(vs, scale - steps)


@pytest.mark.parametrize("seed", range(20))
def test_adding_points_of_different_scales_equals_bucketing_them_together(seed: int) -> None:
    rnd = random.Random(100 + seed)
    a, b = values(rnd, 150, 3), values(rnd, 150, 5)
    sa, sb = rnd.randrange(0, 6), rnd.randrange(0, 6)
    got = bucketed(a, sa).plus(bucketed(b, sb))
    want = bucketed(a + b, min(sa, sb))
    steps = max(want.positive.steps_to_fit(MAX_BUCKETS), want.negative.steps_to_fit(MAX_BUCKETS))
    assert got == want.downscaled(steps)
    assert sum(got.positive.counts) + sum(got.negative.counts) + got.zero_count == len(a) + len(b)


def test_a_sum_wider_than_max_buckets_is_scaled_down_until_it_fits() -> None:
    low, high = bucketed([1.001], 8), bucketed([2.0 ** 3], 8)  # 3 octaves at scale 8: 768 buckets apart
    got = low.plus(high)
    assert len(got.positive.counts) <= MAX_BUCKETS
    assert got.scale == 5 and got == bucketed([1.001, 2.0 ** 3], 5)
    assert bucketed([1.001, 2.0 ** 3], 6).positive.steps_to_fit(MAX_BUCKETS) == 1


def test_delta_exponential_points_accumulate_per_stream_and_keep_the_smaller_scale() -> None:
    rnd = random.Random(7)
    batches = [values(rnd, 50, s) for s in (1, 0.2, 4)]
    scales = [6, 12, 3]
    points = [Point(1, 10 + i, 0, count=len(vs), total=sum(vs), exp=bucketed(vs, s))
              for i, (vs, s) in enumerate(zip(batches, scales, strict=True))]
    out = accumulate({}, points)
    assert [p.count for p in out] == [len(batches[0]), len(batches[0]) + len(batches[1]), sum(map(len, batches))]
    assert [p.exp.scale for p in out if p.exp] == [6, 6, 3]
    assert out[-1].exp == bucketed(batches[0] + batches[1] + batches[2], 3)
    assert out[-1].total == pytest.approx(sum(map(sum, batches)))
    assert accumulate({1: out[-1]}, points[:1]) == []  # a replay adds nothing
