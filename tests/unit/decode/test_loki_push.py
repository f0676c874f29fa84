"""Loki push bodies (JSON, legacy JSON, protobuf+snappy) to streams of lines."""

from __future__ import annotations

import json

import cramjam
import pytest

from meshscope.decode.log_fields import LogOptions
from meshscope.decode.loki_proto import PushRequest
from meshscope.decode.loki_push import decode_push, parse_labels
from meshscope.errors import BadData

NOW = 1_800_000_000_000_000_000
OPTS = LogOptions(NOW, max_line_bytes=64)


def push(streams: list[dict]) -> bytes:
    return json.dumps({"streams": streams}).encode()


def test_json_values_labels_and_metadata() -> None:
    body = push([{"stream": {"job": "api", "level": "warn", "host": "h1"},
                  "values": [[str(NOW - 5), "first"],
                             [str(NOW - 4), "second", {"trace_id": "ab" * 16, "level": "error", "user": "7"}]]}])
    decoded = decode_push(body, "application/json", OPTS)
    assert decoded.rejected == 0 and decoded.accepted == 2
    rows = decoded.streams[0].row()
    assert rows["service_name"] == "api"  # job is the last fallback of Loki's service_name discovery
    assert rows["labels"] == {"job": "api", "level": "warn", "host": "h1", "service_name": "api"}
    assert rows["ts"] == [NOW - 5, NOW - 4] and rows["body"] == ["first", "second"]
    assert rows["attributes"] == [{}, {"trace_id": "ab" * 16, "level": "error", "user": "7"}]
    assert rows["trace_id"] == ["", "ab" * 16]
    assert rows["severity_text"] == ["WARN", "ERROR"] and rows["severity_number"] == [13, 17]


def test_service_name_label_wins() -> None:
    body = push([{"stream": {"service_name": "checkout", "app": "x"}, "values": [[str(NOW), "l"]]}])
    assert decode_push(body, "application/json", OPTS).streams[0].service == "checkout"


def test_bad_entries_are_refused_one_by_one() -> None:
    body = push([{"stream": {"app": "a"}, "values": [["not-a-time", "x"], [str(NOW), 5], [str(NOW), "ok"], []]},
                 {"stream": "nope", "values": [[str(NOW), "y"]]}])
    decoded = decode_push(body, "application/json", OPTS)
    assert decoded.accepted == 1 and decoded.rejected == 4
    assert "not-a-time" in decoded.reason


@pytest.mark.parametrize("ts, kept", [("0", False), ("5", False), (str(NOW * 2), False), (str(NOW - 1), True)])
def test_missing_and_absurd_timestamps_become_receive_time(ts: str, kept: bool) -> None:
    rows = decode_push(push([{"stream": {"a": "b"}, "values": [[ts, "l"]]}]), "", OPTS).streams[0]
    assert rows.ts == [int(ts) if kept else NOW]
    assert rows.attributes[0] == ({} if kept or ts == "0" else {"original_timestamp": ts})


def test_long_lines_are_cut_and_marked() -> None:
    rows = decode_push(push([{"stream": {"a": "b"}, "values": [[str(NOW), "é" * 100]]}]), "", OPTS).streams[0]
    assert rows.body[0] == "é" * 32 and rows.attributes[0] == {"meshscope.truncated_bytes": "200"}


def test_legacy_entries_form() -> None:
    body = json.dumps({"streams": [{"labels": '{app="old", env="dev"}',
                                    "entries": [{"ts": "2027-01-15T08:00:00.123456789Z", "line": "legacy"}]}]})
    rows = decode_push(body.encode(), "application/json", OPTS).streams[0]
    assert rows.labels == {"app": "old", "env": "dev", "service_name": "old"}
    assert rows.ts == [NOW + 123_456_789]
    assert rows.body == ["legacy"]


def test_protobuf_snappy() -> None:
    req = PushRequest()
    stream = req.streams.add()
    stream.labels = b'{job="vector", host="n1", level="info"}'
    for i in range(3):
        e = stream.entries.add()
        e.timestamp.seconds, e.timestamp.nanos = NOW // 10**9 - 10, i
        e.line = b"line \xff" + str(i).encode()
    meta = stream.entries[2].structuredMetadata.add()
    meta.name, meta.value = b"traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    body = bytes(cramjam.snappy.compress_raw(req.SerializeToString()))
    decoded = decode_push(body, "application/x-protobuf", OPTS)
    rows = decoded.streams[0]
    assert rows.service == "vector" and rows.labels["host"] == "n1"
    assert rows.ts == [NOW - 10 * 10**9 + i for i in range(3)]
    assert rows.body == ["line \ufffd0", "line \ufffd1", "line \ufffd2"]
    assert rows.trace_id[2] == "0af7651916cd43dd8448eb211c80319c" and rows.span_id[2] == "b7ad6b7169203331"
    assert rows.severity_number == [9, 9, 9]


@pytest.mark.parametrize("body, ctype", [
    (b"{not json", "application/json"), (b'{"streams": 5}', "application/json"), (b"[]", "application/json"),
    (b"\x00\x01garbage", "application/x-protobuf"),
    (bytes(cramjam.snappy.compress_raw(b"\x0a\xff\xff\xff")), "application/x-protobuf"),
])
def test_malformed_bodies_are_bad_data(body: bytes, ctype: str) -> None:
    with pytest.raises(BadData):
        decode_push(body, ctype, OPTS)


@pytest.mark.parametrize("text, labels", [
    ("{}", {}), ('{a="b"}', {"a": "b"}), ('{ a = "b" , c="d\\"e" }', {"a": "b", "c": 'd"e'}),
    ('{path="C:\\\\x"}', {"path": "C:\\x"}),
])
def test_parse_labels(text: str, labels: dict[str, str]) -> None:
    assert parse_labels(text) == labels


@pytest.mark.parametrize("text", ['a="b"', '{a=b}', '{a="b" c="d"}', '{1a="b"}'])
def test_parse_labels_refuses(text: str) -> None:
    with pytest.raises(BadData):
        parse_labels(text)


def test_plain_streams_and_mixed_streams_decode_alike() -> None:
    plain = [[str(NOW - 3), "a"], [str(NOW - 2), "b"]]
    mixed = [*plain, ["²", "c"], [str(NOW - 1), "d", {"k": "v"}], [str(NOW * 2), "e"]]
    fast = decode_push(push([{"stream": {"app": "a"}, "values": plain}]), "", OPTS).streams[0]
    slow = decode_push(push([{"stream": {"app": "a"}, "values": mixed}]), "", OPTS)
    assert fast.ts == [NOW - 3, NOW - 2] and fast.body == ["a", "b"] and fast.attributes == [{}, {}]
    assert slow.rejected == 1 and slow.streams[0].ts == [NOW - 3, NOW - 2, NOW - 1, NOW]
    assert slow.streams[0].attributes[2:] == [{"k": "v"}, {"original_timestamp": str(NOW * 2)}]


def test_plain_stream_row_sends_only_times_lines_and_one_level() -> None:
    body = push([{"stream": {"app": "a", "level": "error"}, "values": [[str(NOW), "x"], [str(NOW), "y"]]}])
    row = decode_push(body, "", OPTS).streams[0].row()
    assert row["ts"] == [NOW, NOW] and row["body"] == ["x", "y"]
    assert (row["stream_severity_text"], row["stream_severity_number"]) == ("ERROR", 17)
    assert not {"attributes", "trace_id", "span_id", "trace_flags", "severity_text", "severity_number"} & set(row)


def test_invalid_utf8_is_replaced_not_refused() -> None:
    body = b'{"streams": [{"stream": {"app": "a"}, "values": [["%d", "caf\xff"]]}]}' % NOW
    assert decode_push(body, "", OPTS).streams[0].body == ["caf\ufffd"]
