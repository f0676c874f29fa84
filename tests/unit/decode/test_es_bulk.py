"""Elasticsearch bulk bodies: one item per action, in order; documents mapped to log records."""

from __future__ import annotations

import json

from meshscope.decode.es_bulk import decode_bulk
from meshscope.decode.log_fields import LogOptions

NOW = 1_800_000_000_000_000_000
OPTS = LogOptions(NOW)


def ndjson(*lines: object) -> bytes:
    return b"".join((x if isinstance(x, bytes) else json.dumps(x).encode()) + b"\n" for x in lines)


def test_actions_in_order_with_a_bad_line_in_the_middle() -> None:
    body = ndjson({"create": {"_index": "app", "_id": "a1"}}, {"message": "one", "@timestamp": "2027-01-15T07:59:59Z"},
                  {"index": {}}, b'{"message": "broken',
                  {"index": {"_index": "other"}}, ["not", "an", "object"],
                  b"garbage action",
                  b'{"message": "doc of the garbage action"}',
                  {"delete": {"_index": "app", "_id": "zz"}},
                  {"update": {"_id": "u"}}, {"doc": {"a": 1}},
                  {"create": {}}, {"msg": "last", "level": "warn"})
    items = decode_bulk(body, "", OPTS)
    assert [(i.action, i.status) for i in items] == [
        ("create", 201), ("index", 400), ("index", 400), ("index", 400), ("delete", 404), ("update", 400),
        ("create", 201)]
    assert items[0].index == "app" and items[0].doc_id == "a1" and items[0].explicit_id
    assert items[1].error_type == "document_parsing_exception" and items[1].index == "logs"
    assert items[3].error_type == "x_content_parse_exception"
    assert not items[6].explicit_id and len(items[6].doc_id) == 20
    first, last = items[0].record, items[6].record
    assert first is not None and last is not None
    assert first.body == "one" and first.timestamp_ns == NOW - 10**9 and first.labels["index"] == "app"
    assert last.body == "last" and last.severity.text == "WARN" and last.labels["level"] == "warn"


def test_path_index_is_the_default() -> None:
    items = decode_bulk(ndjson({"index": {}}, {"log": "x"}), "fluent-bit", OPTS)
    assert items[0].index == "fluent-bit" and items[0].record is not None
    assert items[0].record.labels == {"service_name": "unknown_service", "job": "elasticsearch",
                                      "index": "fluent-bit"}


def test_action_without_document() -> None:
    items = decode_bulk(ndjson({"index": {"_index": "x"}}), "", OPTS)
    assert items[0].status == 400


def test_empty_body_has_no_items() -> None:
    assert decode_bulk(b"\n\n", "", OPTS) == []
