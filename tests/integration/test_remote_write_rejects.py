"""A remote_write request refused for an invalid series stores nothing of itself, as Prometheus'
appender rolls back: not alone, not coalesced with good requests in one batch, not on replay.

Real chDB and the real writer with the remote_write stream, so a batch is exactly what we submit."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from meshscope.errors import BadData
from meshscope.storage.dedup import DedupLog
from meshscope.storage.executor import Executor
from meshscope.storage.metric_streams import PROM_WRITE, metric_streams
from meshscope.storage.series_ingest import STEPS_AFTER_MISS
from meshscope.storage.writer import TableWriter, WriterLimits, _Pending, digest_of
from support.prom import write_request
from support.storage import migrated_chdb

NOW = int(time.time() * 1000) // 1000 * 1000


@pytest.fixture
def executor(tmp_path: Path) -> Iterator[Executor]:
    with migrated_chdb(tmp_path) as ex:
        yield ex


def writer(ex: Executor, tmp_path: Path, flush_interval: float = 1.0) -> TableWriter:
    """flush_interval 1 s: what is submitted right after an insert waits for the next one, together."""
    dedup = DedupLog(tmp_path / "spool" / "dedup.log", 1000)
    return TableWriter(metric_streams(ex.database)[PROM_WRITE], ex, tmp_path / "spool" / "prom_write", dedup,
                       WriterLimits(flush_interval=flush_interval))


def rows(ex: Executor, name: str) -> list[tuple[int, float]]:
    """Sample rows as written (no FINAL): a row written twice shows twice."""
    got = ex.rows(f"SELECT timestamp, value FROM {ex.database}.metric_samples "
                  f"WHERE metric_name = '{name}' ORDER BY timestamp, value")
    return [(int(r["timestamp"]), float(r["value"])) for r in got]


def bad_request(name: str) -> bytes:
    """A known series (stored before) and a series with an invalid label name, in one request."""
    return write_request([([("__name__", name), ("job", "known")], [(NOW, 2.0)]),
                          ([("__name__", name), ("bad-label", "v")], [(NOW, 3.0)])])


def prime(w: TableWriter, name: str) -> None:
    body = write_request([([("__name__", name), ("job", "known")], [(NOW - 15_000, 1.0)])])
    assert w.submit(body, 1, digest_of(body)).result(30).rows == 1


@pytest.mark.parametrize("steady", [False, True], ids=["right-after-new-series", "fast-statement-first"])
def test_a_refused_request_stores_none_of_its_known_series(executor: Executor, tmp_path: Path,
                                                           steady: bool) -> None:
    name = f"rej_one_{uuid.uuid4().hex[:6]}"
    w = writer(executor, tmp_path, flush_interval=0.05)
    w.start()
    try:
        prime(w, name)
        for n in range(STEPS_AFTER_MISS if steady else 0):  # known-only batches: the next one tries fast first
            known = write_request([([("__name__", name), ("job", "known")], [(NOW - 14_000 + n, 1.0)])])
            assert w.submit(known, 1, digest_of(known)).result(30).rows == 1
        assert (w.spec.procedure._straight_to_steps == 0) == steady  # type: ignore[attr-defined]
        body = bad_request(name)
        with pytest.raises(BadData):
            w.submit(body, 2, digest_of(body)).result(30)
    finally:
        w.stop()
    assert rows(executor, name) == [(NOW - 15_000, 1.0)] + [(NOW - 14_000 + n, 1.0)
                                                            for n in range(STEPS_AFTER_MISS if steady else 0)]


@pytest.mark.parametrize("steady", [False, True], ids=["right-after-new-series", "fast-statement-first"])
def test_good_requests_batched_with_a_refused_one_are_stored_once(executor: Executor, tmp_path: Path,
                                                                   steady: bool) -> None:
    name = f"rej_mix_{uuid.uuid4().hex[:6]}"
    w = writer(executor, tmp_path)
    w.start()
    try:
        prime(w, name)  # the next batch then gathers everything below
        if steady:  # a batch of only known series: the check lets the next batches try the fast statement
            known = write_request([([("__name__", name), ("job", "known")], [(NOW - 14_000, 1.0)])])
            assert w.submit(known, 1, digest_of(known)).result(30).rows == 1
        assert (w.spec.procedure._straight_to_steps == 0) == steady  # type: ignore[attr-defined]
        good = [write_request([([("__name__", name), ("job", "known")], [(NOW + 1000 * i, 10.0 + i)]),
                               ([("__name__", name), ("pod", f"p{i}")], [(NOW, 20.0 + i)])]) for i in range(3)]
        futures = [w.submit(b, 2, digest_of(b)) for b in good[:2] + [bad_request(name)] + good[2:]]
        bad_future = futures.pop(2)
        assert [f.result(30).rows for f in futures] == [2, 2, 2]
        with pytest.raises(BadData):
            bad_future.result(30)
    finally:
        w.stop()
    expected = [(NOW - 15_000, 1.0)] + [(NOW - 14_000, 1.0)] * steady + sorted([(NOW, 20.0 + i) for i in range(3)]
                                               + [(NOW + 1000 * i, 10.0 + i) for i in range(3)])
    assert rows(executor, name) == expected  # no (NOW, 2.0) nor 3.0, and every good row once


def test_a_replayed_batch_stores_nothing_of_a_refused_request(executor: Executor, tmp_path: Path) -> None:
    """A crash after the spool write, before or between the insert steps: the replay runs them again."""
    name = f"rej_replay_{uuid.uuid4().hex[:6]}"
    first = writer(executor, tmp_path)
    first.start()
    prime(first, name)
    first.stop()
    first.dedup.close()
    bad = bad_request(name)
    first._write_spool("feedfacefeedfacefeedfacefeedface", [_Pending(bad, 2, digest_of(bad))])

    restarted = writer(executor, tmp_path)
    try:
        restarted.recover()
        assert rows(executor, name) == [(NOW - 15_000, 1.0)]
        assert digest_of(bad) not in restarted.dedup  # refused, so never recorded as stored
    finally:
        restarted.dedup.close()
