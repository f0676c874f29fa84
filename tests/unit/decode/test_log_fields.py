"""Structured documents (ES sources, JSON lines) to log records: the first known key wins."""

from __future__ import annotations

import pytest

from meshscope.decode.log_fields import LogOptions, flatten, parse_time, record_from_document, truncate

NOW = 1_800_000_000_000_000_000
OPTS = LogOptions(NOW, max_line_bytes=1000)


@pytest.mark.parametrize("value, ns", [
    ("2027-01-15T08:00:00Z", NOW), ("2027-01-15T08:00:00.5+00:00", NOW + 500_000_000),
    ("2027-01-15T09:00:00.123456789+01:00", NOW + 123_456_789), ("2027-01-15 08:00:00", NOW),
    (1_800_000_000, NOW), (1_800_000_000.25, NOW + 250_000_000), (1_800_000_000_000, NOW),
    ("1800000000000000", NOW), (str(NOW), NOW), ("yesterday", None), (None, None), (True, None), ("", None),
])
def test_parse_time(value: object, ns: int | None) -> None:
    assert parse_time(value) == ns


def test_flatten() -> None:
    assert flatten({"a": {"b": 1, "c": {"d": True}}, "l": [1, "x"], "n": None, "s": "é"}) == {
        "a.b": "1", "a.c.d": "true", "l": '[1,"x"]', "s": "é"}


def test_truncate_counts_bytes() -> None:
    assert truncate("abc", 10) == ("abc", 0)
    assert truncate("é" * 10, 5) == ("éé", 20)


def test_filebeat_ecs_document() -> None:
    doc = {"@timestamp": "2027-01-15T07:59:00.000Z", "message": "GET /cart 200", "log": {"level": "info",
           "file": {"path": "/var/log/app.log"}}, "host": {"name": "web-1"}, "service": {"name": "cart"},
           "trace": {"id": "0af7651916cd43dd8448eb211c80319c"}, "agent": {"type": "filebeat"}}
    r = record_from_document(doc, OPTS, "elasticsearch")
    assert (r.body, r.service, r.host, r.severity.text) == ("GET /cart 200", "cart", "web-1", "INFO")
    assert r.timestamp_ns == NOW - 60 * 10**9 and r.trace_id == "0af7651916cd43dd8448eb211c80319c"
    assert r.attributes["log.file.path"] == "/var/log/app.log" and "message" not in r.attributes
    assert "@timestamp" not in r.attributes
    assert r.labels == {"service_name": "cart", "job": "elasticsearch", "host": "web-1", "level": "info"}


def test_fluent_bit_kubernetes_document() -> None:
    doc = {"@timestamp": "2027-01-15T08:00:00.000Z", "log": "E0115 boom\n", "stream": "stderr",
           "kubernetes": {"pod_name": "api-7d9f", "container_name": "api", "host": "node-3",
                          "labels": {"app": "api"}}}
    r = record_from_document(doc, OPTS, "elasticsearch")
    assert r.body == "E0115 boom\n" and r.service == "api" and r.host == "node-3"
    assert r.attributes["kubernetes.pod_name"] == "api-7d9f"


def test_document_without_message_is_its_own_body() -> None:
    r = record_from_document({"user": "ann", "action": "login", "ts": 1_800_000_000}, OPTS, "jsonl")
    assert r.body == '{"user":"ann","action":"login","ts":1800000000}' and r.timestamp_ns == NOW
    assert r.attributes == {"user": "ann", "action": "login"}


def test_configured_service_field_wins() -> None:
    opts = LogOptions(NOW, service_keys=("team",))
    r = record_from_document({"msg": "x", "team": "payments", "service": "svc"}, opts, "jsonl")
    assert r.service == "payments"


def test_absurd_time_is_replaced_and_kept() -> None:
    r = record_from_document({"msg": "x", "time": "1970-01-02T00:00:00Z"}, OPTS, "jsonl")
    assert r.timestamp_ns == NOW and r.attributes["original_timestamp"] == "1970-01-02T00:00:00Z"
