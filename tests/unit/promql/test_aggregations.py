"""``sum`` and ``avg`` fold each group's samples row after row, bit for bit as Prometheus 2.42 does.

Values are picked so the order of additions shows in the last bits (1e16 + 1 - 1e16), with signed
zeros, infinities, NaN and absent cells, over groups of very different sizes; each cell is checked
against a plain Python fold of the samples that are present, in row order.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from meshscope.promql.aggregations import aggregate
from meshscope.promql.values import StepVector

VALUES = [1e16, -1e16, 1.0, 3.3, 1e-3, 0.0, -0.0, 7e15, 1 / 3, math.inf, -math.inf, math.nan, 2.5e-300]


def ref_sum(values: list[float]) -> float:
    total = values[0]
    for v in values[1:]:
        total += v
    return total


def ref_avg(values: list[float]) -> float:
    mean = values[0]
    for count, v in enumerate(values[1:], 2):
        if math.isinf(mean) and (math.isfinite(v) or (math.isinf(v) and (mean > 0) == (v > 0))):
            continue
        mean += v / count - mean / count
    return mean


def bits(v: float) -> int | str:
    return "nan" if math.isnan(v) else int(np.float64(v).view(np.uint64))


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("op", "reference"), [("sum", ref_sum), ("avg", ref_avg)])
def test_sum_and_avg_fold_rows_in_order(op: str, reference, seed: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    n_rows, n_steps = rng.randint(1, 120), rng.randint(1, 30)
    finite_only = seed % 2 == 0  # half the runs without Inf/NaN, where every last bit counts
    pool = [v for v in VALUES if math.isfinite(v)] if finite_only else VALUES
    groups = [f"g{rng.randint(0, rng.choice([0, 2, 9]))}" for _ in range(n_rows)]
    labels = [(("g", g), ("i", str(i))) for i, g in enumerate(groups)]
    values = np.array([[rng.choice(pool) for _ in range(n_steps)] for _ in range(n_rows)])
    share = 1.0 if seed in (0, 2) else 0.7  # every cell present (avg's fast path) or gaps
    present = np.array([[rng.random() < share for _ in range(n_steps)] for _ in range(n_rows)])
    with np.errstate(all="ignore"):  # as the engine evaluates (Inf - Inf is NaN, quietly)
        out = aggregate(op, StepVector(labels, values, present), ("g",), False, None)
    assert out.labels == [(("g", g),) for g in dict.fromkeys(groups)]
    for row, (key,) in enumerate(out.labels):
        members = [i for i, g in enumerate(groups) if g == key[1]]
        for step in range(n_steps):
            samples = [float(values[i, step]) for i in members if present[i, step]]
            assert bool(out.present[row, step]) == bool(samples)
            if samples:
                assert bits(float(out.values[row, step])) == bits(reference(samples)), (key, step, samples)
