import gzip
import json
import zlib

import pytest

from meshscope.decode.otlp.requests import Signal, decode_request, decompress
from meshscope.errors import BadData, PayloadTooLarge, UnsupportedMediaType


def test_json_ids_and_partial_rejection() -> None:
    doc = {"resourceSpans": [{"scopeSpans": [{"spans": [
        {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": "ok"},
        {"traceId": "5b8efff798038103d269b633813fc6", "spanId": "eee19b7ec3c1b174", "name": "short id"},
        {"traceId": "00000000000000000000000000000000", "spanId": "eee19b7ec3c1b174", "name": "zero id"},
    ]}]}]}
    req = decode_request(Signal.TRACES, json.dumps(doc).encode(), "application/json; charset=utf-8")
    assert (req.accepted, req.rejected) == (1, 2)
    assert "2 spans rejected" in req.reason


def test_json_unknown_fields_are_ignored_and_int64_strings_read() -> None:
    doc = {"resourceLogs": [{"scopeLogs": [{"logRecords": [
        {"timeUnixNano": "1700000000000000000", "body": {"stringValue": "hi"}, "futureField": 1}]}]}]}
    req = decode_request(Signal.LOGS, json.dumps(doc).encode(), "application/json")
    assert (req.accepted, req.rejected) == (1, 0)


def test_metrics_without_name_are_rejected() -> None:
    doc = {"resourceMetrics": [{"scopeMetrics": [{"metrics": [
        {"name": "", "gauge": {"dataPoints": [{"asDouble": 1}, {"asDouble": 2}]}},
        {"name": "up", "gauge": {"dataPoints": [{"asInt": "1"}]}}]}]}]}
    req = decode_request(Signal.METRICS, json.dumps(doc).encode(), "application/json")
    assert (req.accepted, req.rejected) == (1, 2)


@pytest.mark.parametrize("ctype", ["text/plain", "", "application/xml"])
def test_unsupported_content_types(ctype: str) -> None:
    with pytest.raises(UnsupportedMediaType):
        decode_request(Signal.TRACES, b"x", ctype)


def test_decompress() -> None:
    assert decompress(gzip.compress(b"abc"), "gzip", 10) == b"abc"
    assert decompress(zlib.compress(b"abc"), "deflate", 10) == b"abc"
    assert decompress(b"abc", "", 10) == b"abc"
    with pytest.raises(PayloadTooLarge):
        decompress(gzip.compress(b"a" * 100), "gzip", 10)
    with pytest.raises(BadData):
        decompress(b"nope", "gzip", 10)
    with pytest.raises(UnsupportedMediaType):
        decompress(b"x", "br", 10)
