"""Engine behaviour not tied to one function: result types, step invariance, @ start()/end()."""

from __future__ import annotations

import math

import numpy as np

from meshscope.promql import Matrix, Scalar, String, Vector
from unit.promql.helpers import engine, every, labels

DATA = {labels("x", job="a"): every(60_000, [float(v) for v in range(20)]),
        labels("x", job="b"): every(60_000, [float(2 * v) for v in range(20)])}


def test_instant_result_types() -> None:
    eng = engine(DATA)
    assert eng.instant("1 + 1", 0) == Scalar(0, 2.0)
    assert eng.instant('"hi"', 5) == String(5, "hi")
    vector = eng.instant("x", 120_000)
    assert isinstance(vector, Vector) and [s.value for s in vector.samples] == [2.0, 4.0]
    matrix = eng.instant("x[1m]", 120_000)
    assert isinstance(matrix, Matrix) and matrix.series[0].values.tolist() == [1.0, 2.0]


def test_step_invariant_parts_equal_per_step_evaluation() -> None:
    eng = engine(DATA)
    pinned = eng.range("sum(rate(x[5m] @ 600)) + x", 300_000, 900_000, 60_000)
    for series in pinned.series:
        for t, v in zip(series.timestamps.tolist(), series.values.tolist(), strict=True):
            instant = eng.instant("sum(rate(x[5m] @ 600)) + x", t)
            assert isinstance(instant, Vector)
            assert v in [s.value for s in instant.samples]


def test_at_start_and_end_refer_to_the_query_range() -> None:
    eng = engine(DATA)
    result = eng.range("x{job='a'} @ start() - x{job='a'} @ end()", 120_000, 300_000, 60_000)
    assert result.series[0].values.tolist() == [-3.0] * 4


def test_scalar_range_result_is_one_unlabelled_series() -> None:
    result = engine(DATA).range("time() * 2", 0, 120_000, 60_000)
    assert len(result.series) == 1 and result.series[0].labels == ()
    assert result.series[0].values.tolist() == [0.0, 120.0, 240.0]


def test_math_warnings_do_not_escape() -> None:
    with np.errstate(all="raise"):
        result = engine({labels("x"): [(0, -1.0)]}).instant("ln(x) + 1 / (x - x)", 0)
    assert isinstance(result, Vector) and math.isnan(result.samples[0].value)
