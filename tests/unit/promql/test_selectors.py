"""The vectorised instant lookup equals a per-series, per-time reference of Prometheus 2.42's rule:
the latest sample with ``t - lookback <= ts <= t``, hidden when it is a staleness marker.

Series are random with gaps, NaN values (ordinary samples) and staleness markers; evaluation times
are step grids (the arithmetic fast path, often through the samples' own times), irregular sorted
times, unsorted times, pinned times (as ``@`` gives) and times on the exact edges: a sample's own
timestamp and ``ts + lookback`` (still inside the closed window) and one ms after it (outside).
"""

from __future__ import annotations

import bisect
import random

import numpy as np
import pytest

from meshscope.promql import STALE_NAN, Series, SeriesBlock
from meshscope.promql.selectors import instant_lookup
from meshscope.promql.source import STALE_NAN_BITS
from unit.promql.helpers import labels

LOOKBACK = 300_000


def reference(series: list[Series], times: list[int]) -> list[list[tuple[float, int] | None]]:
    """Per series and time: (value, sample time) of the sample the time sees, or None."""
    out = []
    for s in series:
        ts, vals = s.timestamps.tolist(), s.values.tolist()
        bits = s.values.view(np.uint64).tolist()
        row: list[tuple[float, int] | None] = []
        for t in times:
            i = bisect.bisect_right(ts, t) - 1
            seen = i >= 0 and ts[i] >= t - LOOKBACK and bits[i] != STALE_NAN_BITS
            row.append((vals[i], ts[i]) if seen else None)
        out.append(row)
    return out


def random_series(rng: random.Random, n: int) -> list[Series]:
    series = []
    for k in range(n):
        ts: list[int] = []
        t = rng.randint(-40, 40) * 15_000 + rng.choice([0, 0, 0, rng.randint(1, 14_999)])  # mostly on the 15 s grid
        for _ in range(rng.randint(1, 40)):
            t += rng.choice([1, 15_000, 15_000, 15_000, 60_000, LOOKBACK, LOOKBACK + 1, 900_000])
            ts.append(t)
        vals = [rng.choice([1.5, -2.0, 0.0, float("nan"), STALE_NAN, 1e308]) for _ in ts]
        series.append(Series(labels("m", i=str(k)), np.array(ts, dtype=np.int64), np.array(vals)))
    return series


def times_for(kind: str, rng: random.Random, series: list[Series]) -> list[int]:
    stamps = sorted({int(t) for s in series for t in s.timestamps})
    if kind == "grid":  # often through the samples' own times (the 15 s grid they mostly sit on)
        step = rng.choice([1, 7_000, 15_000, 15_000, 60_000])
        start = rng.randint(-50, 0) * 15_000 + rng.choice([0, 0, rng.randint(1, 14_999)])
        return list(range(start, start + step * rng.randint(1, 120), step))
    if kind == "edges":  # on a sample, on the end of its lookback, one ms past it
        picked = rng.sample(stamps, min(len(stamps), 20))
        return sorted({t + d for t in picked for d in (0, LOOKBACK, LOOKBACK + 1, -1)})
    if kind == "unsorted":
        return [rng.randint(-800_000, 3_000_000) for _ in range(rng.randint(1, 30))]
    if kind == "pinned":
        return [rng.choice(stamps) + LOOKBACK] * rng.randint(1, 5)
    return sorted(rng.randint(-800_000, 3_000_000) for _ in range(rng.randint(1, 30)))  # irregular


@pytest.mark.parametrize("kind", ["grid", "edges", "unsorted", "pinned", "irregular"])
@pytest.mark.parametrize("seed", range(8))
def test_lookup_sees_what_prometheus_sees(kind: str, seed: int) -> None:
    rng = random.Random(seed)
    series = random_series(rng, rng.randint(1, 12))
    times = times_for(kind, rng, series)
    vec, sample_ts = instant_lookup(SeriesBlock.from_series(series), np.array(times, dtype=np.int64), LOOKBACK)
    want = reference(series, times)
    for row, expected in enumerate(want):
        for col, cell in enumerate(expected):
            assert bool(vec.present[row, col]) == (cell is not None), (row, times[col])
            if cell is not None:
                got = float(vec.values[row, col])
                assert np.float64(got).view(np.uint64) == np.float64(cell[0]).view(np.uint64)
                assert int(sample_ts[row, col]) == cell[1]


def test_a_marker_hides_the_series_until_the_next_sample_and_nan_does_not() -> None:
    s = Series(labels("m"), np.array([0, 15_000, 30_000, 45_000]), np.array([1.0, STALE_NAN, float("nan"), 4.0]))
    vec, _ = instant_lookup(SeriesBlock.from_series([s]), np.array([0, 15_000, 29_999, 30_000, 45_000]), LOOKBACK)
    assert vec.present.tolist() == [[True, False, False, True, True]]
    assert np.isnan(vec.values[0, 3]) and vec.values[0, 4] == 4.0
