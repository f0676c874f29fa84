"""Bad input gets the right status and a message naming the problem; accepted data stays intact."""

from __future__ import annotations

import gzip
import uuid

import grpc
import httpx
import pytest
from google.rpc import status_pb2
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2_grpc import TraceServiceStub

from support.otlp_bodies import spans_request
from support.server import ServerProcess

PB = {"content-type": "application/x-protobuf"}


def count_spans(server: ServerProcess, service: str) -> int:
    r = httpx.get(f"{server.http_url}/api/ms/sql",
                  params={"query": f"SELECT count() AS n FROM meshscope.spans WHERE service_name = '{service}'"})
    return int(r.json()["data"][0]["n"])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    s = ServerProcess(tmp_path_factory.mktemp("bad") / "data",
                      env_overrides={"MESHSCOPE_OTLP__MAX_BODY_BYTES": "64KiB"}).start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def baseline(server: ServerProcess) -> str:
    """Data accepted before the bad requests; every test checks it is still there, unchanged."""
    service = f"baseline-{uuid.uuid4().hex[:6]}"
    r = httpx.post(f"{server.otlp_http_url}/v1/traces", content=spans_request(service, 50).SerializeToString(),
                   headers=PB)
    assert r.status_code == 200
    return service


def post(server: ServerProcess, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{server.otlp_http_url}/v1/traces", content=body, headers=headers, timeout=30)


def rpc_status(r: httpx.Response) -> status_pb2.Status:
    return status_pb2.Status.FromString(r.content)


@pytest.mark.parametrize("name, body, headers, status, words", [
    ("garbage protobuf", b"\xff\xfe\xfd not protobuf", PB, 400, "not a valid OTLP traces protobuf"),
    ("truncated protobuf", spans_request("t", 3).SerializeToString()[:-7], PB, 400, "not a valid OTLP"),
    ("garbage JSON", b"{not json", {"content-type": "application/json"}, 400, "not valid JSON"),
    ("JSON not an object", b"[1,2]", {"content-type": "application/json"}, 400, "must be an object"),
    ("empty JSON", b"", {"content-type": "application/json"}, 400, "empty JSON body"),
    ("bad hex id", b'{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"00"}]}]}]}',
     {"content-type": "application/json"}, 400, "resourceSpans[0].scopeSpans[0].spans[0].traceId"),
    ("wrong JSON type", b'{"resourceSpans": 5}', {"content-type": "application/json"}, 400, "invalid OTLP JSON"),
    ("wrong content type", b"hello", {"content-type": "text/plain"}, 415, "application/x-protobuf"),
    ("no content type", b"hello", {}, 415, "Content-Type"),
    ("unknown encoding", b"hello", {**PB, "content-encoding": "br"}, 415, "Content-Encoding"),
    ("broken gzip", b"not gzip at all", {**PB, "content-encoding": "gzip"}, 400, "not valid gzip"),
    ("oversize body", b"\x0a" * (70 * 1024), PB, 413, "larger than the limit"),
    ("gzip bomb", gzip.compress(b"\x00" * (2 * 1024 * 1024)), {**PB, "content-encoding": "gzip"}, 413,
     "decompressed body is larger"),
])
def test_bad_requests(server: ServerProcess, baseline: str, name: str, body: bytes, headers: dict[str, str],
                      status: int, words: str) -> None:
    r = post(server, body, headers)
    assert r.status_code == status, (name, r.text)
    is_pb = headers.get("content-type") == PB["content-type"]
    message = rpc_status(r).message if is_pb else r.json()["message"]
    assert words in message, (name, message)
    assert count_spans(server, baseline) == 50


def test_invalid_ids_are_partial_success(server: ServerProcess, baseline: str) -> None:
    service = f"partial-{uuid.uuid4().hex[:6]}"
    r = post(server, spans_request(service, 10, bad_ids=3).SerializeToString(), PB)
    assert r.status_code == 200
    resp = ExportTraceServiceResponse.FromString(r.content)
    assert resp.partial_success.rejected_spans == 3
    assert "trace_id must be 16 bytes" in resp.partial_success.error_message
    assert count_spans(server, service) == 7
    assert count_spans(server, baseline) == 50


def test_empty_requests_succeed_without_storing(server: ServerProcess, baseline: str) -> None:
    r = post(server, b"", PB)
    assert r.status_code == 200 and ExportTraceServiceResponse.FromString(r.content).ByteSize() == 0
    r = post(server, b"{}", {"content-type": "application/json"})
    assert r.status_code == 200 and r.json() == {}
    assert count_spans(server, baseline) == 50


def test_gzip_and_json_doors(server: ServerProcess) -> None:
    service = f"gz-{uuid.uuid4().hex[:6]}"
    body = gzip.compress(spans_request(service, 4).SerializeToString())
    assert post(server, body, {**PB, "content-encoding": "gzip"}).status_code == 200
    doc = ('{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"%s"}}]},'
           '"scopeSpans":[{"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",'
           '"name":"json-op","kind":2,"startTimeUnixNano":"%d","endTimeUnixNano":"%d",'
           '"attributes":[{"key":"n","value":{"intValue":"7"}}]}]}]}]}')
    import time
    now = time.time_ns()
    r = post(server, (doc % (service, now, now + 10)).encode(), {"content-type": "application/json"})
    assert r.status_code == 200 and r.json() == {}
    assert count_spans(server, service) == 5
    tr = httpx.get(f"{server.http_url}/api/traces/5b8efff798038103d269b633813fc60c").json()["data"][0]
    assert tr["spans"][0]["operationName"] == "json-op"
    assert {"key": "n", "type": "string", "value": "7"} in tr["spans"][0]["tags"]


def test_retried_request_is_stored_once(server: ServerProcess) -> None:
    service = f"retry-{uuid.uuid4().hex[:6]}"
    body = spans_request(service, 20).SerializeToString()
    for _ in range(3):
        assert post(server, body, PB).status_code == 200
    assert count_spans(server, service) == 20
    metrics = httpx.get(f"{server.http_url}/metrics").text
    assert 'meshscope_ingest_duplicate_requests_total{signal="traces"}' in metrics


def test_grpc_bad_data_is_invalid_argument(server: ServerProcess, baseline: str) -> None:
    channel = grpc.insecure_channel(server.otlp_grpc_endpoint)
    raw = channel.unary_unary("/opentelemetry.proto.collector.trace.v1.TraceService/Export",
                              request_serializer=lambda b: b, response_deserializer=lambda b: b)
    with pytest.raises(grpc.RpcError) as info:
        raw(b"\xff\xfe garbage", timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "not a valid OTLP traces protobuf" in info.value.details()
    service = f"grpc-partial-{uuid.uuid4().hex[:6]}"
    resp = TraceServiceStub(channel).Export(spans_request(service, 5, bad_ids=2), timeout=10)
    assert resp.partial_success.rejected_spans == 2
    assert count_spans(server, service) == 3
    assert count_spans(server, baseline) == 50
    channel.close()


def test_sql_api_is_read_only(server: ServerProcess, baseline: str) -> None:
    for statement in ("DROP TABLE meshscope.spans", "INSERT INTO meshscope.spans (name) VALUES ('x')",
                      "ALTER TABLE meshscope.spans DELETE WHERE 1", "SELECT 1; DROP TABLE meshscope.spans"):
        r = httpx.get(f"{server.http_url}/api/ms/sql", params={"query": statement})
        assert r.status_code == 400, (statement, r.text)
        assert r.json()["error"]
    assert count_spans(server, baseline) == 50
