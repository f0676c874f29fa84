"""The encoder's requests read back with the official classes, every field in place."""

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

from meshscope.agent.encode import SCOPE, logs_request
from meshscope.agent.records import LogEntry


def test_round_trip_through_the_official_classes() -> None:
    entries = [LogEntry("plain", 1),
               LogEntry("x" * 300 + " ünïcödé ✓", 2, time_ns=1_700_000_000_123_456_789, severity_text="ERROR",
                        severity_number=17, attributes={"log.iostream": "stderr", "user": "bob", "": "empty key"})]
    raw = logs_request({"service.name": "svc", "host.name": "h1"}, entries, observed_ns=42)
    req = ExportLogsServiceRequest.FromString(raw)
    rl = req.resource_logs[0]
    assert {a.key: a.value.string_value for a in rl.resource.attributes} == {"service.name": "svc", "host.name": "h1"}
    sl = rl.scope_logs[0]
    assert sl.scope.name == SCOPE
    a, b = sl.log_records
    assert (a.body.string_value, a.time_unix_nano, a.observed_time_unix_nano, a.severity_number) == ("plain", 0, 42, 0)
    assert b.body.string_value == "x" * 300 + " ünïcödé ✓" and b.time_unix_nano == 1_700_000_000_123_456_789
    assert (b.severity_text, b.severity_number) == ("ERROR", 17)
    assert {kv.key: kv.value.string_value for kv in b.attributes} == {"log.iostream": "stderr", "user": "bob",
                                                                      "": "empty key"}
    # the same request built with the official classes is the same bytes
    ref = ExportLogsServiceRequest()
    ref.CopyFrom(req)
    assert ref.SerializeToString() == raw


def test_empty_batch() -> None:
    req = ExportLogsServiceRequest.FromString(logs_request({}, [], observed_ns=1))
    assert len(req.resource_logs[0].scope_logs[0].log_records) == 0
