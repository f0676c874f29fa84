"""The logs write path on real chDB: compact stream rows land as full rows, a trace id the line
contains is kept once, and a database made before migrations 006 and 011 is upgraded with its lines
intact."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from meshscope.config import RetentionSettings
from meshscope.decode.log_fields import LogOptions
from meshscope.decode.loki_push import decode_push
from meshscope.storage import log_rows, migrate
from meshscope.storage.executor import Executor, open_executor

NOW = 1_800_000_000_000_000_000
TRACE = "0af7651916cd43dd8448eb211c80319c"


@pytest.fixture
def executor(tmp_path: Path) -> Iterator[Executor]:
    ex = open_executor("", tmp_path / "chdb", "meshscope")
    yield ex
    ex.close()


def _store(ex: Executor, tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "body.json"
    path.write_bytes(body)
    ex.insert_from_file(log_rows.insert_sql(ex.database), path, "JSONEachRow", log_rows.STRUCTURE, log_rows.SETTINGS)


def _push(streams: list[dict[str, object]]) -> bytes:
    import json

    decoded = decode_push(json.dumps({"streams": streams}).encode(), "application/json",
                          LogOptions(NOW, earliest_ns=NOW - 10**18))
    return log_rows.encode(decoded.streams)


def test_plain_stream_is_sent_compact_and_stored_whole(executor: Executor, tmp_path: Path) -> None:
    migrate.apply(executor, RetentionSettings(logs=10**9))
    body = _push([{"stream": {"app": "api", "level": "warn"},
                   "values": [[str(NOW - 2), "slow"], [str(NOW - 1), f"retry trace_id={TRACE}"]]},
                  {"stream": {"app": "web"}, "values": [[str(NOW), "level=error boom"], [str(NOW), "ok"]]}])
    assert b'"attributes"' not in body and b'"severity_number"' not in body  # nothing per line to say
    _store(executor, tmp_path, body)
    rows = executor.rows("SELECT service_name, body, severity_text, severity_number, trace_id, attributes, "
                         "labels['level'] AS level FROM meshscope.logs ORDER BY service_name, timestamp, body")
    assert [(r["service_name"], r["body"], r["severity_text"], r["severity_number"], r["trace_id"]) for r in rows] == [
        ("api", "slow", "WARN", 13, ""),
        ("api", f"retry trace_id={TRACE}", "WARN", 13, TRACE),  # the trace id written in the line
        ("web", "level=error boom", "ERROR", 17, ""),  # no level from the door: read from the line
        ("web", "ok", "", 0, ""),
    ]
    assert all(r["attributes"] == {} for r in rows) and rows[0]["level"] == "warn"


def test_per_line_metadata_keeps_its_own_columns(executor: Executor, tmp_path: Path) -> None:
    migrate.apply(executor, RetentionSettings(logs=10**9))
    body = _push([{"stream": {"app": "api", "level": "info"},
                   "values": [[str(NOW - 1), "a"], [str(NOW), "b", {"trace_id": TRACE, "level": "error", "k": "v"}]]}])
    _store(executor, tmp_path, body)
    rows = executor.rows("SELECT body, severity_text, trace_id, attributes FROM meshscope.logs ORDER BY timestamp")
    assert [(r["body"], r["severity_text"], r["trace_id"]) for r in rows] == [("a", "INFO", ""), ("b", "ERROR", TRACE)]
    assert rows[1]["attributes"]["k"] == "v" and rows[0]["attributes"] == {}


def test_trace_id_in_its_line_is_kept_once_and_found(executor: Executor, tmp_path: Path) -> None:
    migrate.apply(executor, RetentionSettings(logs=10**9))
    upper = TRACE.upper()
    _store(executor, tmp_path, _push([{"stream": {"app": "api"}, "values": [
        [str(NOW - 3), f"a trace_id={TRACE} done"],  # found in the line: stored as its place
        [str(NOW - 2), "b", {"trace_id": TRACE}],  # not in the line: stored as given
        [str(NOW - 1), f"c trace_id={upper}"],  # the line's spelling differs from the stored id
        [str(NOW), f"{TRACE}", {"trace_id": TRACE}],  # the whole line is the id
    ]}]))
    rows = executor.rows(f"SELECT body, trace_id, trace_at, trace_own FROM meshscope.logs WHERE trace_id = '{TRACE}' "
                         "ORDER BY timestamp")
    assert [(r["body"], r["trace_id"]) for r in rows] == [
        (f"a trace_id={TRACE} done", TRACE), ("b", TRACE), (f"c trace_id={upper}", TRACE), (TRACE, TRACE)]
    assert [(r["trace_at"] > 0, r["trace_own"]) for r in rows] == [(True, ""), (False, TRACE), (False, TRACE),
                                                                    (True, "")]


def test_database_from_before_006_and_011_is_upgraded_with_its_lines(executor: Executor, tmp_path: Path) -> None:
    before = [m for m in migrate.migrations() if m.version < 6]
    executor.command("CREATE DATABASE IF NOT EXISTS meshscope")
    for mg in before:
        for statement in migrate.render(mg.sql, executor, RetentionSettings(logs=10**9)):
            executor.command(statement.rstrip(";"))
    executor.command("CREATE TABLE meshscope.schema_migrations (version UInt32, name String, applied_at DateTime "
                     "DEFAULT now()) ENGINE = ReplacingMergeTree ORDER BY version")
    for mg in before:
        executor.command(f"INSERT INTO meshscope.schema_migrations (version, name) VALUES ({mg.version}, '{mg.name}')")
    executor.command("INSERT INTO meshscope.logs (timestamp, service_name, labels, body, trace_id, severity_text) "
                     f"VALUES (fromUnixTimestamp64Nano({NOW}), 'api', map('host', 'h1'), 'old line trace_id={TRACE}', "
                     f"'{TRACE}', 'WARN'), (fromUnixTimestamp64Nano({NOW}), 'api', map('host', 'h2'), 'other', '', '')")

    applied = migrate.apply(executor, RetentionSettings(logs=10**9))
    assert 6 in applied and 11 in applied
    columns = {r["name"]: r["type"] for r in executor.rows(
        "SELECT name, type FROM system.columns WHERE database = 'meshscope' AND table = 'logs'")}
    assert columns["labels"] == "Map(LowCardinality(String), LowCardinality(String))"
    indexes = {r["name"]: r["type"] for r in executor.rows(
        "SELECT name, type FROM system.data_skipping_indices WHERE database = 'meshscope' AND table = 'logs'")}
    assert indexes["idx_tokens"] == "tokenbf_v1" and indexes["idx_trace_id"] == "bloom_filter"
    assert indexes["idx_tokens_coarse"] == "tokenbf_v1"
    assert "idx_body" not in indexes
    _store(executor, tmp_path, _push([{"stream": {"app": "api", "host": "h3"},
                                       "values": [[str(NOW + 1), f"new line trace_id={TRACE}"]]}]))
    rows = executor.rows(f"SELECT body, labels['host'] AS host, severity_text, trace_at > 0 AS inline "
                         f"FROM meshscope.logs WHERE hasToken(body, 'line') AND trace_id = '{TRACE}' "
                         "ORDER BY timestamp")
    assert rows == [
        {"body": f"old line trace_id={TRACE}", "host": "h1", "severity_text": "WARN", "inline": 0},  # as stored before
        {"body": f"new line trace_id={TRACE}", "host": "h3", "severity_text": "", "inline": 1},
    ]
    assert executor.rows("SELECT body, trace_id FROM meshscope.logs WHERE labels['host'] = 'h2'") == [
        {"body": "other", "trace_id": ""}]
