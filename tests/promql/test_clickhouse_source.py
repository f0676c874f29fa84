"""The ClickHouse source answers exactly like the in-memory one (real chDB, the real schema).

Both sources hold the same series; every query must give bit-identical range results. Then the
parts of the source that the in-memory one does not have: duplicates written twice resolve to the
last write, label sets come from the fingerprint cache (misses looked up by value or by
selector), and samples whose fingerprint has no series row are left out.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from meshscope.config import RetentionSettings
from meshscope.metrics import source as ch_source
from meshscope.metrics.series_labels import SeriesLabels
from meshscope.metrics.source import ClickHouseSource
from meshscope.promql import STALE_NAN, Engine, LabelMatcher, MemorySource, SelectHints
from meshscope.promql.labels import Labels, from_mapping
from meshscope.promql.values import Matrix
from meshscope.storage import migrate
from meshscope.storage.chdb_embedded import ChdbExecutor
from meshscope.storage.sql import quote

STEP = 15_000
END = (int(time.time() * 1000) // STEP) * STEP  # the series table is kept per recent day
START = END - 3_600_000
HINTS = SelectHints(START, END)


def lbl(name: str, **pairs: str) -> Labels:
    return from_mapping({"__name__": name, **pairs})


def _data() -> dict[Labels, tuple[list[int], list[float]]]:
    rnd = np.random.default_rng(3)
    out: dict[Labels, tuple[list[int], list[float]]] = {}
    for job in ("a", "b"):
        for inst in ("1", "2", "3"):
            ts = sorted({START + int(t) for t in rnd.integers(0, 3_600_000, 200)})
            counter = np.cumsum(rnd.integers(0, 30, len(ts))).astype(float)
            counter[len(ts) // 2:] -= counter[len(ts) // 2] - 3.0  # a reset half way
            out[lbl("c", job=job, instance=inst)] = (ts, counter.tolist())
            gauge = rnd.normal(100, 20, len(ts))
            gauge[5], gauge[9] = np.nan, STALE_NAN
            out[lbl("g", job=job, instance=inst, extra="x" if inst == "1" else "")] = (ts, gauge.tolist())
    return out


DATA = _data()


def insert(ex: ChdbExecutor, series: dict[Labels, tuple[list[int], list[float]]]) -> None:
    """Rows through metric_ingest as every door writes them; values by bit pattern (stale markers)."""
    rows = []
    for labels, (ts, vals) in series.items():
        names = "[" + ",".join(quote(k) for k, _ in labels) + "]"
        values = "[" + ",".join(quote(v) for _, v in labels) + "]"
        bits = np.asarray(vals, dtype=np.float64).view(np.uint64).tolist()
        name = quote(dict(labels)["__name__"])
        rows += [f"({name}, {names}, {values}, {t}, {b})" for t, b in zip(ts, bits, strict=True)]
    ex.command(f"INSERT INTO {ex.database}.metric_ingest (metric_name, fingerprint, names, vals, kind, timestamp, "
               "value) SELECT n, cityHash64(ns, vs), ns, vs, 'sample', t, reinterpretAsFloat64(b) FROM values("
               f"'n String, ns Array(String), vs Array(String), t Int64, b UInt64', {', '.join(rows)})")


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChdbExecutor]:
    executor = ChdbExecutor(Path(tmp_path_factory.mktemp("chsource")) / "chdb", "meshscope")
    migrate.apply(executor, RetentionSettings())
    insert(executor, DATA)
    yield executor
    executor.close()


def memory() -> MemorySource:
    source = MemorySource()
    for labels, (ts, vals) in DATA.items():
        source.add(labels, ts, vals)
    return source


def points(m: Matrix) -> list[tuple[Labels, list[int], list[int]]]:
    return [(s.labels, s.timestamps.tolist(), s.values.view(np.uint64).tolist()) for s in m.series]


@pytest.mark.parametrize("query", [
    "c", "g", 'c{job="a"}', '{__name__=~"c|g", instance="2"}', 'g{extra=""}', 'g{job!="a", extra!="y"}',
    "rate(c[5m])", "sum by (job) (rate(c[5m]))", "topk(2, irate(c[2m]))", "avg by (job) (g)",
    "count_over_time(g[10m])", "max_over_time(g[7m]) - min_over_time(g[7m])", 'c{job="nope"}',
])
def test_answers_match_the_memory_source_bit_for_bit(ex: ChdbExecutor, query: str) -> None:
    want = Engine(memory()).range(query, START + 300_000, END, STEP)
    got = Engine(ClickHouseSource(ex)).range(query, START + 300_000, END, STEP)
    assert points(got) == points(want)


BUCKETS_END = END // ch_source.TIME_BUCKET_MS * ch_source.TIME_BUCKET_MS  # the last 2 h bucket boundary
BUCKETS_START = BUCKETS_END - 2 * ch_source.TIME_BUCKET_MS - 1_800_000  # 30 min before the boundary before it


def _across_buckets() -> dict[Labels, tuple[list[int], list[float]]]:
    """Series over three 2 h buckets of metric_samples' key: a series is read as one run per bucket."""
    rnd = np.random.default_rng(7)
    out = {}
    for inst in ("1", "2", "3", "4"):
        ts = sorted({BUCKETS_START + int(t) for t in rnd.integers(0, 3 * 3_600_000, 300)} | {BUCKETS_END - 7_200_000})
        vals = rnd.normal(50, 10, len(ts))
        vals[len(ts) // 3] = STALE_NAN
        out[lbl("bk", job="a" if inst < "3" else "b", instance=inst)] = (ts, vals.tolist())
    return out


@pytest.fixture(scope="module")
def across_buckets(ex: ChdbExecutor) -> MemorySource:
    data = _across_buckets()
    assert len({t // ch_source.TIME_BUCKET_MS for ts, _ in data.values() for t in ts}) == 3
    insert(ex, data)
    source = MemorySource()
    for labels, (ts, vals) in data.items():
        source.add(labels, ts, vals)
    return source


@pytest.mark.parametrize("query", ["bk", "avg by (job) (bk)", "sum(rate(bk[5m]))", "max_over_time(bk[20m])",
                                   "timestamp(bk)"])
def test_series_over_several_time_buckets_read_whole(ex: ChdbExecutor, across_buckets: MemorySource,
                                                     query: str) -> None:
    source = across_buckets
    want = Engine(source).range(query, BUCKETS_START, BUCKETS_END + 1_800_000, 60_000)
    got = Engine(ClickHouseSource(ex)).range(query, BUCKETS_START, BUCKETS_END + 1_800_000, 60_000)
    assert points(got) == points(want) and len(got.series) > 0


def test_a_sample_written_twice_reads_as_the_last_write(ex: ChdbExecutor) -> None:
    series = lbl("dup", job="a")
    insert(ex, {series: ([START, START + STEP], [1.0, 2.0])})
    insert(ex, {series: ([START + STEP], [5.0])})
    block = ClickHouseSource(ex).select([LabelMatcher("__name__", "=", "dup")], START, END, HINTS)
    assert block.labels == [series]
    assert block.timestamps.tolist() == [START, START + STEP]
    assert block.values.tolist() == [1.0, 5.0]


def test_labels_come_from_the_cache_and_new_series_are_looked_up(ex: ChdbExecutor) -> None:
    cache = SeriesLabels()
    source = ClickHouseSource(ex, cache)
    name = [LabelMatcher("__name__", "=", "c")]
    first = source.select(name, START, END, HINTS)
    assert len(cache) == 6 and sorted(first.labels) == sorted(k for k in DATA if dict(k)["__name__"] == "c")
    newcomer = lbl("c", job="c", instance="9")
    insert(ex, {newcomer: ([END - STEP], [7.0])})
    second = source.select(name, START, END, HINTS)
    assert newcomer in second.labels and len(cache) == 7
    assert [lb for lb in second.labels if lb != newcomer] == list(first.labels)


def test_a_full_cache_starts_over_and_stays_right(ex: ChdbExecutor) -> None:
    cache = SeriesLabels(max_series=4)
    source = ClickHouseSource(ex, cache)
    for name in ("g", "c", "g"):
        block = source.select([LabelMatcher("__name__", "=", name)], START, END, HINTS)
        assert {dict(lb)["__name__"] for lb in block.labels} == {name}
        assert len(block) >= 6


def test_many_unknown_series_are_read_by_selector(ex: ChdbExecutor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ch_source, "MAX_LISTED", 2)
    got = Engine(ClickHouseSource(ex)).range('g{job="b"}', START + 300_000, END, STEP)
    want = Engine(memory()).range('g{job="b"}', START + 300_000, END, STEP)
    assert points(got) == points(want) and len(got.series) == 3


def test_samples_without_a_series_row_are_left_out(ex: ChdbExecutor) -> None:
    series = lbl("orphaned", job="a")
    insert(ex, {series: ([START, END], [1.0, 2.0])})
    ex.command(f"INSERT INTO {ex.database}.metric_samples (metric_name, fingerprint, timestamp, value) "
               f"VALUES ('orphaned', 1, {START + 1}, 3.0), ('orphaned', 18446744073709551615, {START + 2}, 4.0)")
    block = ClickHouseSource(ex).select([LabelMatcher("__name__", "=", "orphaned")], START, END, HINTS)
    assert block.labels == [series]
    assert block.offsets.tolist() == [0, 2] and block.values.tolist() == [1.0, 2.0]


def test_series_come_in_label_order_even_with_nul_in_a_value(ex: ChdbExecutor) -> None:
    plain = {lbl("ordered", job=j, instance=i): ([START], [1.0]) for j in ("b", "a", "ab") for i in ("2", "10")}
    insert(ex, plain)
    block = ClickHouseSource(ex).select([LabelMatcher("__name__", "=", "ordered")], START, END, HINTS)
    assert block.ordered and list(block.labels) == sorted(plain)
    insert(ex, {lbl("ordered", job="a\x00b", instance="1"): ([START], [2.0])})
    block = ClickHouseSource(ex).select([LabelMatcher("__name__", "=", "ordered")], START, END, HINTS)
    assert not block.ordered  # left to the engine, which compares label tuples
    got = Engine(ClickHouseSource(ex)).range("ordered", START, START, STEP)
    assert [s.labels for s in got.series] == sorted([*plain, lbl("ordered", job="a\x00b", instance="1")])
