"""Storage on real chDB (and on a ClickHouse server when MESHSCOPE_TEST_CLICKHOUSE_URL is set)."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from meshscope.config import RetentionSettings
from meshscope.errors import BadData
from meshscope.storage import migrate
from meshscope.storage.dedup import DedupLog
from meshscope.storage.executor import Executor, open_executor
from meshscope.storage.insert_spec import otlp_specs
from meshscope.storage.writer import TableWriter, WriterLimits, digest_of
from support.otlp_bodies import spans_request

BACKENDS = ["chdb"] + (["clickhouse"] if os.environ.get("MESHSCOPE_TEST_CLICKHOUSE_URL") else [])


@pytest.fixture(params=BACKENDS)
def executor(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Executor]:
    if request.param == "chdb":
        ex = open_executor("", tmp_path / "chdb", "meshscope")
    else:
        db = f"meshscope_test_{uuid.uuid4().hex[:8]}"
        ex = open_executor(os.environ["MESHSCOPE_TEST_CLICKHOUSE_URL"], tmp_path, db)
    migrate.apply(ex, RetentionSettings())
    yield ex
    if request.param == "clickhouse":
        ex.command(f"DROP DATABASE IF EXISTS {ex.database}")
    ex.close()


def writer(ex: Executor, tmp_path: Path, inserts: list[int] | None = None, **limits: float) -> TableWriter:
    dedup = DedupLog(tmp_path / "spool" / "dedup.log", 1000)
    observe = (lambda table, rows, s: inserts.append(rows)) if inserts is not None else None
    w = TableWriter(otlp_specs(ex.database)["traces"], ex, tmp_path / "spool" / "otlp_traces", dedup,
                    WriterLimits(**{"flush_interval": 0.2, **limits}), observe)  # type: ignore[arg-type]
    return w


def span_count(ex: Executor, service: str) -> int:
    return int(ex.rows(f"SELECT count() AS n FROM {ex.database}.spans WHERE service_name = '{service}'")[0]["n"])


def test_migrations_are_recorded_and_idempotent(executor: Executor) -> None:
    assert migrate.apply(executor, RetentionSettings()) == []
    versions = [r["version"] for r in executor.rows(
        f"SELECT version FROM {executor.database}.schema_migrations ORDER BY version")]
    assert versions == [m.version for m in migrate.migrations()]


def test_retention_change_reaches_existing_tables(executor: Executor) -> None:
    migrate.apply(executor, RetentionSettings(logs=3 * 86400))
    ddl = executor.rows(f"SHOW CREATE TABLE {executor.database}.logs")[0]
    assert "toIntervalSecond(259200)" in next(iter(ddl.values()))


def test_concurrent_requests_coalesce_into_one_insert(executor: Executor, tmp_path: Path) -> None:
    inserts: list[int] = []
    w = writer(executor, tmp_path, inserts, flush_interval=2.0)
    w.start()
    service = f"co-{uuid.uuid4().hex[:6]}"
    prime = spans_request(service, 1).SerializeToString()
    w.submit(prime, 1, digest_of(prime)).result(30)  # an idle writer inserts at once...
    bodies = [spans_request(service, 10).SerializeToString() for _ in range(8)]
    futures = [w.submit(b, 10, digest_of(b)) for b in bodies]  # ...a busy one gathers what comes
    assert [f.result(30).rows for f in futures] == [10] * 8
    w.stop()
    assert inserts == [1, 80]
    assert span_count(executor, service) == 81


def test_same_body_twice_is_stored_once(executor: Executor, tmp_path: Path) -> None:
    w = writer(executor, tmp_path)
    w.start()
    service = f"dup-{uuid.uuid4().hex[:6]}"
    body = spans_request(service, 5).SerializeToString()
    first = w.submit(body, 5, digest_of(body)).result(30)
    second = w.submit(body, 5, digest_of(body)).result(30)
    w.stop()
    assert (first.duplicate, second.duplicate) == (False, True)
    assert span_count(executor, service) == 5


def test_bad_body_in_a_batch_does_not_sink_the_others(executor: Executor, tmp_path: Path) -> None:
    w = writer(executor, tmp_path, flush_interval=1.0)
    w.start()
    service = f"iso-{uuid.uuid4().hex[:6]}"
    prime = spans_request(f"{service}-prime", 1).SerializeToString()
    w.submit(prime, 1, digest_of(prime)).result(30)  # the next batch then gathers all four
    good = [spans_request(service, 3).SerializeToString() for _ in range(3)]
    bad = b"\x0a\xff\xff\xff\xff\x0f"  # a field claiming 4 GB of data: ClickHouse refuses it
    futures = [w.submit(b, 3, digest_of(b)) for b in good[:2]]
    bad_future = w.submit(bad, 1, digest_of(bad))
    futures.append(w.submit(good[2], 3, digest_of(good[2])))
    assert [f.result(30).rows for f in futures] == [3, 3, 3]
    with pytest.raises(BadData):
        bad_future.result(30)
    w.stop()
    assert span_count(executor, service) == 9


def test_spooled_batch_is_replayed_once_after_a_crash(executor: Executor, tmp_path: Path) -> None:
    """A crash after the spool write: replay inserts it; a crash after the insert: replay is a no-op."""
    service = f"spool-{uuid.uuid4().hex[:6]}"
    body = spans_request(service, 7).SerializeToString()
    crashed = writer(executor, tmp_path)
    from meshscope.storage.writer import _Pending

    item = _Pending(body, 7, digest_of(body))
    batch_id = "deadbeefdeadbeefdeadbeefdeadbeef"
    crashed._write_spool(batch_id, [item])  # the state a crash before the insert leaves
    crashed.dedup.close()

    restarted = writer(executor, tmp_path)
    assert restarted.recover() == 1
    assert span_count(executor, service) == 7
    assert digest_of(body) in restarted.dedup  # the client's retry is now recognised

    crashed._write_spool(batch_id, [item])  # as if the crash came after the insert, before cleanup
    assert restarted.recover() == 1
    assert span_count(executor, service) == 7
    indexed = executor.rows(f"SELECT sum(span_count) AS n FROM {executor.database}.trace_index "
                            f"WHERE has(services, '{service}')")
    assert int(indexed[0]["n"]) == 7  # the derived table was not fed twice either
    restarted.dedup.close()


def test_unfinished_spool_files_are_discarded(executor: Executor, tmp_path: Path) -> None:
    """Files without their digests marker were never acknowledged: the clients retry them."""
    w = writer(executor, tmp_path)
    (w.spool_dir / "cafe-0.pb").write_bytes(b"partial")
    assert w.recover() == 0
    assert list(w.spool_dir.iterdir()) == []
    w.dedup.close()


def test_stop_flushes_what_was_accepted(executor: Executor, tmp_path: Path) -> None:
    w = writer(executor, tmp_path, flush_interval=60.0)
    w.start()
    service = f"stop-{uuid.uuid4().hex[:6]}"
    prime = spans_request(service, 1).SerializeToString()
    w.submit(prime, 1, digest_of(prime)).result(30)
    body = spans_request(service, 4).SerializeToString()
    future = w.submit(body, 4, digest_of(body))  # would wait a minute for company
    threading.Timer(0.2, w.stop).start()
    assert future.result(30).rows == 4
    assert span_count(executor, service) == 5


def test_a_cancelled_request_does_not_stop_the_writer(executor: Executor, tmp_path: Path) -> None:
    """A client that hangs up cancels its future; the rows are still stored and the writer goes on."""
    w = writer(executor, tmp_path, flush_interval=0.5)
    w.start()
    service = f"cancel-{uuid.uuid4().hex[:6]}"
    first = spans_request(service, 2).SerializeToString()
    gone = w.submit(first, 2, digest_of(first))
    assert gone.cancel()
    second = spans_request(service, 3).SerializeToString()
    assert w.submit(second, 3, digest_of(second)).result(30).rows == 3
    w.stop()
    assert span_count(executor, service) == 5
