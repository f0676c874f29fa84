"""How the remote_write writer batches: its senders wait for each answer, so it never waits
``flush_interval`` for company that cannot come, yet still gathers requests that arrive together.

Real chDB and the real writers (remote_write stream, and the OTLP traces stream for contrast)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import pytest

from meshscope.storage.dedup import DedupLog
from meshscope.storage.executor import Executor
from meshscope.storage.insert_spec import InsertSpec, otlp_specs
from meshscope.storage.metric_streams import PROM_WRITE, metric_streams
from meshscope.storage.writer import TableWriter, WriterLimits, digest_of
from support.otlp_bodies import spans_request
from support.prom import write_request
from support.storage import migrated_chdb

NOW = int(time.time() * 1000) // 1000 * 1000
INTERVAL = 60.0  # far longer than any wait below: a writer that waited for it would fail the test


@pytest.fixture
def executor(tmp_path: Path) -> Iterator[Executor]:
    with migrated_chdb(tmp_path) as ex:
        yield ex


def writer(ex: Executor, tmp_path: Path, spec: InsertSpec, inserts: list[int]) -> TableWriter:
    dedup = DedupLog(tmp_path / "spool" / "dedup.log", 1000)
    return TableWriter(spec, ex, tmp_path / "spool" / spec.table, dedup, WriterLimits(flush_interval=INTERVAL),
                       lambda table, rows, seconds: inserts.append(rows))


def body(name: str, n: int) -> bytes:
    return write_request([([("__name__", name), ("job", "j")], [(NOW + 1000 * n, float(n))])])


def test_a_lone_request_right_after_an_insert_does_not_wait_the_interval(executor: Executor,
                                                                         tmp_path: Path) -> None:
    inserts: list[int] = []
    w = writer(executor, tmp_path, metric_streams(executor.database)[PROM_WRITE], inserts)
    w.start()
    name = f"lone_{uuid.uuid4().hex[:6]}"
    try:
        for n in range(3):  # each one follows an insert: an interval-bound writer would hold it 60 s
            b = body(name, n)
            assert w.submit(b, 1, digest_of(b)).result(20).rows == 1
    finally:
        w.stop()
    assert inserts == [1, 1, 1]


def test_other_streams_still_wait_the_interval_for_company(executor: Executor, tmp_path: Path) -> None:
    inserts: list[int] = []
    w = writer(executor, tmp_path, otlp_specs(executor.database)["traces"], inserts)
    w.start()
    service = f"wait-{uuid.uuid4().hex[:6]}"
    first, second = (spans_request(service, n).SerializeToString() for n in (1, 2))
    assert w.submit(first, 1, digest_of(first)).result(20).rows == 1
    waiting = w.submit(second, 2, digest_of(second))
    with pytest.raises(FutureTimeout):
        waiting.result(1.0)
    w.stop()  # flushes what was accepted
    assert waiting.result(0).rows == 2
    assert inserts == [1, 2]


def test_requests_arriving_together_share_one_insert(executor: Executor, tmp_path: Path) -> None:
    inserts: list[int] = []
    w = writer(executor, tmp_path, metric_streams(executor.database)[PROM_WRITE], inserts)
    w.start()
    name = f"together_{uuid.uuid4().hex[:6]}"
    try:
        prime = body(name, 0)
        assert w.submit(prime, 1, digest_of(prime)).result(20).rows == 1
        bodies = [body(name, n) for n in range(1, 5)]
        with w._cond:  # all four queued before the writer looks again, as a burst of senders would be
            futures = [w.submit(b, 1, digest_of(b)) for b in bodies]
        assert [f.result(20).rows for f in futures] == [1, 1, 1, 1]
    finally:
        w.stop()
    assert inserts == [1, 4]
    stored = executor.rows(f"SELECT count() AS n FROM {executor.database}.metric_samples "
                           f"WHERE metric_name = '{name}'")
    assert int(stored[0]["n"]) == 5
