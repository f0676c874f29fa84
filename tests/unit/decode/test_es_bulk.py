"""Elasticsearch bulk bodies: one item per action, in order; documents mapped to log records."""

from __future__ import annotations

import json

from meshscope.decode.es_bulk import decode_bulk, decode_document
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


def test_ids_are_kept_for_reading_back() -> None:
    items = decode_bulk(ndjson({"create": {"_index": "app", "_id": "a1"}}, {"message": "given"},
                               {"create": {"_index": "app"}}, {"message": "generated"}), "", OPTS)
    assert items[0].record is not None and items[0].record.attributes["_id"] == "a1"
    assert items[1].record is not None and "_id" not in items[1].record.attributes  # bulk auto ids: not kept


def test_single_document_bodies() -> None:
    auto = decode_document("create", "app", "", b'{\n  "message": "pretty printed",\n  "level": "warn"\n}', OPTS)
    assert auto.status == 201 and not auto.explicit_id and len(auto.doc_id) == 20
    assert auto.record is not None and auto.record.body == "pretty printed"
    assert auto.record.attributes["_id"] == auto.doc_id  # the client was told this id and may GET it
    given = decode_document("index", "app", "d1", b'{"message": "m"}', OPTS)
    assert given.explicit_id and given.doc_id == "d1" and given.record is not None
    assert given.record.attributes["_id"] == "d1"
    assert [(i.status, i.error_type) for i in (
        decode_document("index", "app", "d2", b"  \n", OPTS),
        decode_document("index", "app", "d3", b"[1]", OPTS),
        decode_document("index", "app", "d4", b'{"message": ', OPTS))] == [
        (400, "parse_exception"), (400, "document_parsing_exception"), (400, "document_parsing_exception")]
