"""Schema 007 rebuilds metric_samples with a time bucket in its key: a database at 006 with samples
in it is upgraded with every sample, duplicates resolve as before, queries answer the same, and the
doors (remote_write fast path and steps, the metric_ingest views) still write into the new table.
A start interrupted anywhere in the rebuild is finished by the next one.

Real chDB and the real remote_write writer."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from meshscope.config import RetentionSettings
from meshscope.metrics.source import ClickHouseSource
from meshscope.promql import Engine
from meshscope.storage import migrate
from meshscope.storage.dedup import DedupLog
from meshscope.storage.executor import Executor, open_executor
from meshscope.storage.metric_streams import PROM_WRITE, metric_streams
from meshscope.storage.sql import quote
from meshscope.storage.writer import TableWriter, WriterLimits, digest_of
from support.prom import write_request

DAY_MS = 86_400_000
STEP = 60_000
START = (int(time.time() * 1000) // DAY_MS - 1) * DAY_MS + 6 * 3_600_000  # yesterday 06:00, 5 h of samples
END = START + 5 * 3_600_000
QUERIES = ["rw_requests_total", 'rw_requests_total{job="b"}', "sum by (job) (rate(rw_requests_total[5m]))",
           "mi_memory_bytes", 'max_over_time({__name__=~"rw_.*|mi_.*"}[10m])']
RETENTION = RetentionSettings()


@pytest.fixture
def executor(tmp_path: Path) -> Iterator[Executor]:
    ex = open_executor("", tmp_path / "chdb", "meshscope")
    yield ex
    ex.close()


def at_006(ex: Executor) -> None:
    """A database as version 006 left it."""
    before = [m for m in migrate.migrations() if m.version <= 6]
    ex.command("CREATE DATABASE IF NOT EXISTS meshscope")
    for mg in before:
        for statement in migrate.render(mg.sql, ex, RETENTION):
            ex.command(statement.rstrip(";"))
    ex.command("CREATE TABLE meshscope.schema_migrations (version UInt32, name String, applied_at DateTime "
               "DEFAULT now()) ENGINE = ReplacingMergeTree ORDER BY version")
    for mg in before:
        ex.command(f"INSERT INTO meshscope.schema_migrations (version, name) VALUES ({mg.version}, '{mg.name}')")


def remote_write(ex: Executor, tmp_path: Path, bodies: list[bytes]) -> list[int]:
    """Each body through the writer on its own (the first of a new series takes the steps, the next the
    fast statement); the rows each stored."""
    dedup = DedupLog(tmp_path / "spool" / "dedup.log", 1000)
    w = TableWriter(metric_streams(ex.database)[PROM_WRITE], ex, tmp_path / "spool" / "prom_write", dedup,
                    WriterLimits())
    w.start()
    try:
        return [w.submit(b, 1, digest_of(b)).result(30).rows for b in bodies]
    finally:
        w.stop()
        dedup.close()


def rw_body(t0: int, t1: int, value: float = 0.0) -> bytes:
    series = []
    for job in ("a", "b"):
        for inst in ("1", "2"):
            labels = [("__name__", "rw_requests_total"), ("instance", inst), ("job", job)]
            series.append((labels, [(t, value + (t - START) / 1000) for t in range(t0, t1, STEP)]))
    return write_request(series)


def ingest_rows(ex: Executor, t0: int, t1: int) -> None:
    """Gauge rows into metric_ingest, the table the scrape and OTLP views write."""
    rows = []
    for pod in ("p1", "p2", "p3"):
        ns, vs = "['__name__','pod']", f"['mi_memory_bytes',{quote(pod)}]"
        rows += [f"({ns}, {vs}, {t}, {float(t % 7_000_003)})" for t in range(t0, t1, STEP)]
    ex.command("INSERT INTO meshscope.metric_ingest (metric_name, fingerprint, names, vals, kind, timestamp, value) "
               "SELECT vs[2], cityHash64(ns, vs), ns, vs, 'sample', t, v FROM values("
               f"'ns Array(String), vs Array(String), t Int64, v Float64', {', '.join(rows)})")


def fill(ex: Executor, tmp_path: Path) -> None:
    """Five hours across two-hour buckets, by both doors, with a sample rewritten (the last write wins)."""
    mid = START + 150 * STEP
    assert remote_write(ex, tmp_path, [rw_body(START, mid), rw_body(mid, END), rw_body(mid, mid + STEP, 1e6)]) == [
        4 * 150, 4 * 150, 4]
    ingest_rows(ex, START, END)


def answers(ex: Executor) -> list[list[tuple[tuple[tuple[str, str], ...], list[int], list[int]]]]:
    engine = Engine(ClickHouseSource(ex))
    out = []
    for q in QUERIES:
        m = engine.range(q, START, END + 600_000, 30_000)
        out.append([(s.labels, s.timestamps.tolist(), np.asarray(s.values).view(np.uint64).tolist())
                    for s in m.series])
    return out


def layout(ex: Executor) -> tuple[str, list[str]]:
    key = ex.rows("SELECT sorting_key FROM system.tables WHERE database = 'meshscope' AND name = 'metric_samples'")
    tables = ex.rows("SELECT name FROM system.tables WHERE database = 'meshscope' "
                     "AND name IN ('metric_samples', 'metric_samples_007')")
    return key[0]["sorting_key"], sorted(r["name"] for r in tables)


def columns(ex: Executor) -> list[tuple[str, str, str]]:
    rows = ex.rows("SELECT name, type, compression_codec FROM system.columns WHERE database = 'meshscope' "
                   "AND table = 'metric_samples' ORDER BY position")
    return [(r["name"], r["type"], r["compression_codec"]) for r in rows]


def stored(ex: Executor) -> list[tuple[str, int, int, float]]:
    rows = ex.rows("SELECT metric_name, fingerprint, timestamp, value FROM meshscope.metric_samples FINAL "
                   "ORDER BY metric_name, fingerprint, timestamp")
    return [(r["metric_name"], int(r["fingerprint"]), int(r["timestamp"]), float(r["value"])) for r in rows]


def test_a_database_at_006_is_upgraded_with_its_samples(executor: Executor, tmp_path: Path) -> None:
    at_006(executor)
    fill(executor, tmp_path)
    before, samples = answers(executor), stored(executor)
    assert layout(executor)[0] == "metric_name, fingerprint, timestamp"
    assert len(samples) == 4 * 300 + 3 * 300  # the rewritten sample is one sample
    rewritten = [s for s in samples if s[0] == "rw_requests_total" and s[2] == START + 150 * STEP]
    assert [s[3] for s in rewritten] == [1e6 + 150 * STEP / 1000] * 4
    cols = columns(executor)

    assert [v for v in migrate.apply(executor, RETENTION) if v <= 7] == [7]  # later ones follow
    assert columns(executor) == cols and cols[1] == ("fingerprint", "UInt64", "CODEC(Delta(8), ZSTD(1))")
    engine = executor.rows("SELECT engine_full FROM system.tables WHERE database = 'meshscope' "
                           "AND name = 'metric_samples'")[0]["engine_full"]
    assert "ReplacingMergeTree" in engine and "min_parts_to_merge_at_once = 25" in engine  # as 005 set it
    assert "index_granularity = 2048" in engine and "ttl_only_drop_parts = 1" in engine
    assert "PARTITION BY toDate(intDiv(timestamp, 1000))" in engine
    assert layout(executor) == ("metric_name, intDiv(timestamp, 7200000), fingerprint, timestamp", ["metric_samples"])
    assert stored(executor) == samples
    assert answers(executor) == before
    assert any(series for series in before)  # the queries do select samples


def test_the_doors_write_into_the_rebuilt_table(executor: Executor, tmp_path: Path) -> None:
    at_006(executor)
    fill(executor, tmp_path)
    migrate.apply(executor, RETENTION)
    count = len(stored(executor))
    later = END + 10 * STEP
    new_series = write_request([([("__name__", "rw_new_total"), ("job", "c")], [(later, 5.0)])])
    assert remote_write(executor, tmp_path, [rw_body(END, later), new_series]) == [4 * 10, 1]  # fast, then steps
    ingest_rows(executor, END, later)
    assert len(stored(executor)) == count + 4 * 10 + 1 + 3 * 10
    got = Engine(ClickHouseSource(executor)).range('rw_new_total{job="c"}', later, later, 1000)
    assert [s.values.tolist() for s in got.series] == [[5.0]]


@pytest.mark.parametrize("done", [2, 3, 4])  # created / filled / exchanged, not yet dropped nor recorded
def test_an_interrupted_rebuild_is_finished_by_the_next_start(executor: Executor, tmp_path: Path, done: int) -> None:
    at_006(executor)
    fill(executor, tmp_path)
    before, samples = answers(executor), stored(executor)
    rebuild = next(m for m in migrate.migrations() if m.version == 7)
    for statement in migrate.render(rebuild.sql, executor, RETENTION)[:done]:
        executor.command(statement.rstrip(";"))

    assert [v for v in migrate.apply(executor, RETENTION) if v <= 7] == [7]  # later ones follow
    assert layout(executor) == ("metric_name, intDiv(timestamp, 7200000), fingerprint, timestamp", ["metric_samples"])
    assert stored(executor) == samples
    assert answers(executor) == before
