"""The vectorised folds equal a plain one-value-at-a-time reference, to the last bit."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from meshscope.promql.sequential import (
    Sequences,
    kahan_mean,
    kahan_sum,
    kahan_variance,
    plain_sum,
    regression,
    seeded_mean,
    seeded_variance,
)


def kahan_inc(inc: float, total: float, comp: float) -> tuple[float, float]:
    t = total + inc
    comp += (total - t) + inc if abs(total) >= abs(inc) else (inc - t) + total
    return t, comp


def ref_kahan_sum(values: list[float]) -> float:
    total = comp = 0.0
    for v in values:
        total, comp = kahan_inc(v, total, comp)
    return total if math.isinf(total) else total + comp


def ref_kahan_mean(values: list[float]) -> float:
    mean = comp = 0.0
    for count, v in enumerate(values, 1):
        mean, comp = kahan_inc(v / count - mean / count, mean, comp)
    return mean + comp


def ref_kahan_variance(values: list[float]) -> float:
    mean = c_mean = aux = c_aux = 0.0
    for count, v in enumerate(values, 1):
        delta = v - (mean + c_mean)
        mean, c_mean = kahan_inc(delta / count, mean, c_mean)
        aux, c_aux = kahan_inc(delta * (v - (mean + c_mean)), aux, c_aux)
    return (aux + c_aux) / len(values)


def ref_seeded_mean(values: list[float]) -> float:
    mean = values[0]
    for count, v in enumerate(values[1:], 2):
        mean += v / count - mean / count
    return mean


def ref_seeded_variance(values: list[float]) -> float:
    mean, aux = values[0], 0.0
    for count, v in enumerate(values[1:], 2):
        delta = v - mean
        mean += delta / count
        aux += delta * (v - mean)
    return aux / len(values)


def ref_slope(ts: list[int], values: list[float]) -> float:
    sums = [(0.0, 0.0)] * 4
    for t, y in zip(ts, values, strict=True):
        x = (t - ts[0]) / 1e3
        sums = [kahan_inc(inc, *s) for inc, s in zip((x, y, x * y, x * x), sums, strict=True)]
    n = len(ts)
    sx, sy, sxy, sx2 = (a + b for a, b in sums)
    return (sxy - sx * sy / n) / (sx2 - sx * sx / n)


@pytest.fixture(scope="module")
def data() -> tuple[Sequences, np.ndarray, np.ndarray, list[list[float]], list[list[int]]]:
    rng = random.Random(5)
    seqs = [[rng.choice([0.1, 1e8 + 0.3, 3.3333, 7.0]) * rng.random() for _ in range(rng.randint(1, 12))]
            for _ in range(200)]
    times = [sorted(rng.sample(range(0, 10**6), len(s))) for s in seqs]
    lengths = np.array([len(s) for s in seqs])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    flat = np.array([v for s in seqs for v in s])
    ts = np.array([t for s in times for t in s], dtype=np.int64)
    return Sequences(starts, lengths), flat, ts, seqs, times


@pytest.mark.parametrize(("fold", "reference"), [
    (kahan_sum, ref_kahan_sum), (kahan_mean, ref_kahan_mean), (kahan_variance, ref_kahan_variance),
    (seeded_mean, ref_seeded_mean), (seeded_variance, ref_seeded_variance),
])
def test_folds_match_reference(data, fold, reference) -> None:  # type: ignore[no-untyped-def]
    seq, flat, _, seqs, _ = data
    assert fold(seq, flat).tolist() == [reference(s) for s in seqs]


def test_plain_sum_starts_from_the_given_value(data) -> None:  # type: ignore[no-untyped-def]
    seq, flat, _, seqs, _ = data
    start = np.arange(len(seqs), dtype=np.float64)
    expected = []
    for s0, values in zip(start.tolist(), seqs, strict=True):
        for v in values:
            s0 += v
        expected.append(s0)
    assert plain_sum(seq, flat, start).tolist() == expected


def test_regression_matches_reference(data) -> None:  # type: ignore[no-untyped-def]
    seq, flat, ts, seqs, times = data
    first = np.array([t[0] for t in times], dtype=np.float64)
    with np.errstate(all="ignore"):  # one-sample sequences divide 0 by 0, as in the engine
        slope, _ = regression(seq, ts, flat, first)
    for got, values, stamps in zip(slope.tolist(), seqs, times, strict=True):
        if len(values) > 1:
            assert got == ref_slope(stamps, values)


def test_empty_sequences() -> None:
    seq = Sequences(np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64))
    assert kahan_sum(seq, np.empty(0)).tolist() == [0.0, 0.0, 0.0]


def test_empty_sequences_past_the_end_of_the_data() -> None:
    seq = Sequences(np.array([0, 2], dtype=np.int64), np.array([2, 0], dtype=np.int64))
    with np.errstate(all="ignore"):
        slope, _ = regression(seq, np.array([0, 1000]), np.array([1.0, 3.0]), np.array([0.0, 0.0]))
    assert slope[0] == 2.0
    with np.errstate(all="ignore"):
        empty, _ = regression(Sequences(np.zeros(2, np.int64), np.zeros(2, np.int64)), np.empty(0, np.int64),
                              np.empty(0), np.zeros(2))
    assert len(empty) == 2
