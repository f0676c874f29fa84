"""Rows in ``metric_samples`` key order (time bucket, series, time) regroup into the block an
``ORDER BY fingerprint, timestamp`` read used to give, with series in label order.

Random tables are laid out bucket by bucket as ClickHouse returns them; the block must equal one
built by sorting every row by (label order, time). Then the edges: fingerprints without a series,
duplicates (flagged for the FINAL re-read), one fingerprint under two metric names (its runs out
of time order), label sets holding NUL (left for the engine to order), and the label-order cache.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from meshscope.metrics import series_labels
from meshscope.metrics.sample_runs import block_from_runs
from meshscope.metrics.series_labels import SeriesLabels
from meshscope.promql.labels import Labels, from_mapping
from meshscope.promql.source import SeriesBlock

BUCKET = 7_200_000


def lbl(**pairs: str) -> Labels:
    return from_mapping({"__name__": "m", **pairs})


def storage_order(fps: list[int], ts: list[int], metric: list[str] | None = None) -> np.ndarray:
    """Row order of a key-order read: metric, 2 h bucket, fingerprint, time."""
    names = metric or [""] * len(fps)
    return np.array(sorted(range(len(fps)), key=lambda i: (names[i], ts[i] // BUCKET, fps[i], ts[i])))


def regroup(known: dict[int, Labels], fps: list[int], ts: list[int], vals: list[float],
            cache: SeriesLabels | None = None) -> tuple[SeriesBlock, bool]:
    cache = SeriesLabels() if cache is None else cache

    def fetch(missing: list[int]) -> list[tuple[int, Labels]]:
        return [(fp, known[fp]) for fp in missing if fp in known]

    got = block_from_runs(np.array(fps, dtype=np.uint64), np.array(ts, dtype=np.int64), np.array(vals),
                          lambda distinct: cache.order(distinct, fetch))
    return got.block, got.duplicates


def as_rows(block: SeriesBlock) -> list[tuple[Labels, list[int], list[float]]]:
    return [(s.labels, s.timestamps.tolist(), s.values.tolist()) for s in block.series()]


@pytest.mark.parametrize("seed", range(10))
def test_runs_regroup_into_series_in_label_order(seed: int) -> None:
    rng = random.Random(seed)
    known = {rng.getrandbits(64): lbl(job=rng.choice("abc"), i=str(i)) for i in range(rng.randint(1, 30))}
    want: dict[Labels, list[tuple[int, float]]] = {}
    fps, ts, vals = [], [], []
    for fp, labels in known.items():
        first = rng.randint(0, 5) * BUCKET + rng.randint(-BUCKET, BUCKET)
        stamps = sorted({first + rng.randint(0, 4 * BUCKET) for _ in range(rng.randint(1, 50))})
        for t in stamps:
            fps.append(fp)
            ts.append(t)
            vals.append(rng.random())
            want.setdefault(labels, []).append((t, vals[-1]))
    order = storage_order(fps, ts)
    block, duplicates = regroup(known, [fps[i] for i in order], [ts[i] for i in order], [vals[i] for i in order])
    assert not duplicates and block.ordered
    assert as_rows(block) == [(lb, [t for t, _ in s], [v for _, v in s]) for lb, s in sorted(want.items())]


def test_rows_without_a_series_are_left_out() -> None:
    known = {5: lbl(i="a"), 9: lbl(i="b")}
    block, _ = regroup(known, [3, 5, 9, 3, 5, 7], [0, 0, 0, BUCKET, BUCKET, BUCKET], [1, 2, 3, 4, 5, 6])
    assert as_rows(block) == [(lbl(i="a"), [0, BUCKET], [2.0, 5.0]), (lbl(i="b"), [0], [3.0])]
    assert block.offsets.tolist() == [0, 2, 3]


def test_two_samples_of_a_series_at_one_time_ask_for_final() -> None:
    known = {1: lbl(i="a"), 2: lbl(i="b")}
    assert regroup(known, [1, 1, 2], [0, 0, 0], [1, 2, 3])[1]
    assert not regroup(known, [1, 2, 2], [0, 0, 1], [1, 2, 3])[1]  # neighbours, not one series


def test_a_fingerprint_under_two_metric_names_still_comes_sorted_by_time() -> None:
    fps, ts, names = [1, 1, 1, 1], [0, 20, 10, 30], ["a", "a", "b", "b"]
    order = storage_order(fps, ts, names)
    block, duplicates = regroup({1: lbl(i="x")}, [fps[i] for i in order], [ts[i] for i in order], [0, 2, 1, 3])
    assert as_rows(block) == [(lbl(i="x"), [0, 10, 20, 30], [0.0, 1.0, 2.0, 3.0])] and not duplicates


def test_label_sets_with_nul_are_left_for_the_engine_to_order() -> None:
    known = {1: lbl(i="b"), 2: lbl(i="a\x00")}
    block, _ = regroup(known, [1, 2], [0, 0], [1, 2])
    assert not block.ordered and len(block) == 2


def test_the_label_order_of_a_set_is_kept_only_when_every_series_is_known() -> None:
    cache, known = SeriesLabels(), {1: lbl(i="b"), 2: lbl(i="a")}

    def fetch(missing: list[int]) -> list[tuple[int, Labels]]:
        return [(fp, known[fp]) for fp in missing if fp in known]

    fps = np.array([1, 2, 3], dtype=np.uint64)
    first = cache.order(fps, fetch)
    assert first.labels == (lbl(i="a"), lbl(i="b")) and first.rank.tolist() == [1, 0, -1]
    known[3] = lbl(i="0")  # its series row arrives later: the next query must see it
    second = cache.order(fps, fetch)
    assert second.labels == (lbl(i="0"), lbl(i="a"), lbl(i="b")) and second.rank.tolist() == [2, 1, 0]
    assert cache.order(fps, fetch) is second  # kept now
    assert cache.order(fps[:2], fetch).labels == (lbl(i="a"), lbl(i="b"))  # another set, another order


def test_kept_label_orders_are_bounded_by_their_fingerprints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(series_labels, "MAX_ORDERED", 3)
    cache, known = SeriesLabels(), {i: lbl(i=str(i)) for i in range(4)}

    def fetch(missing: list[int]) -> list[tuple[int, Labels]]:
        return [(fp, known[fp]) for fp in missing]

    first = cache.order(np.array([0, 1], dtype=np.uint64), fetch)
    assert cache.order(np.array([0, 1], dtype=np.uint64), fetch) is first
    cache.order(np.array([2, 3], dtype=np.uint64), fetch)  # 4 > 3: starts over
    assert cache.order(np.array([0, 1], dtype=np.uint64), fetch) is not first
