"""Log records grouped by stream into the JSONEachRow body the logs writer inserts."""

from __future__ import annotations

import json

from meshscope.model.logs import LogRecord, Severity
from meshscope.storage.log_rows import encode_records, insert_sql


def test_records_grouped_by_stream_in_order() -> None:
    a = {"service_name": "a"}
    records = [LogRecord(3, 9, "one", Severity(9, "INFO"), "a", labels=a),
               LogRecord(1, 9, "other", service="b", labels={"service_name": "b"}),
               LogRecord(2, 9, "two", service="a", labels=dict(a), attributes={"k": "v"}, trace_id="ab" * 16)]
    body, lines = encode_records(records)
    rows = [json.loads(line) for line in body.decode().splitlines()]
    assert lines == 3 and [r["service_name"] for r in rows] == ["a", "b"]
    assert rows[0]["ts"] == [3, 2] and rows[0]["body"] == ["one", "two"]
    assert rows[0]["attributes"] == [{}, {"k": "v"}] and rows[0]["trace_id"] == ["", "ab" * 16]
    assert rows[0]["severity_number"] == [9, 0] and rows[0]["observed"] == 9


def test_no_records_no_body() -> None:
    assert encode_records([]) == (b"", 0)


def test_insert_names_its_source() -> None:
    sql = insert_sql("db")
    assert "INSERT INTO db.logs" in sql and "{source}" in sql and "ARRAY JOIN" in sql
