"""The exporter against a real HTTP server that answers what the test asks for."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse

from meshscope.agent.config import Output
from meshscope.agent.exporter import ExportResult, OtlpHttpExporter
from meshscope.agent.sender import backoff
from support.server import free_port

ANSWERS: list[tuple[int, dict, bytes]] = []
SEEN: list[dict] = []


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["content-length"]))
        SEEN.append(dict(self.headers))
        status, headers, body = ANSWERS.pop(0)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def endpoint():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _partial(n: int) -> bytes:
    r = ExportLogsServiceResponse()
    r.partial_success.rejected_log_records = n
    r.partial_success.error_message = "bad ids"
    return r.SerializeToString()


@pytest.mark.parametrize("status,headers,body,result,retry_after,rejected", [
    (200, {}, b"", ExportResult.SUCCESS, 0, 0),
    (200, {}, _partial(3), ExportResult.SUCCESS, 0, 3),
    (429, {"Retry-After": "7"}, b"", ExportResult.RETRY, 7, 0),
    (503, {"Retry-After": "2"}, b"", ExportResult.RETRY, 2, 0),
    (408, {}, b"", ExportResult.RETRY, 0, 0),
    (500, {}, b"", ExportResult.RETRY, 0, 0),
    (413, {}, b"", ExportResult.TOO_LARGE, 0, 0),
    (400, {}, b"bad", ExportResult.FAILURE, 0, 0),
])
def test_outcomes(endpoint, status, headers, body, result, retry_after, rejected) -> None:
    ANSWERS.append((status, headers, body))
    exporter = OtlpHttpExporter(Output(endpoint=endpoint))
    outcome = exporter.export("logs", b"\x1f\x8b", "file:0-10:ab")
    exporter.close()
    assert (outcome.result, outcome.retry_after, outcome.rejected) == (result, retry_after, rejected)
    assert SEEN[-1]["X-Meshscope-Idempotency-Key"] == "file:0-10:ab"
    assert SEEN[-1]["Content-Encoding"] == "gzip"


def test_unreachable_is_a_retry_not_an_exception() -> None:
    exporter = OtlpHttpExporter(Output(endpoint=f"http://127.0.0.1:{free_port()}", timeout=1))
    assert exporter.export("logs", b"", "k").result is ExportResult.RETRY


def test_backoff_grows_with_jitter_and_honours_retry_after() -> None:
    out = Output(initial_backoff=0.5, max_backoff=4)
    first = [backoff(1, out) for _ in range(50)]
    assert all(0.25 <= d <= 0.5 for d in first) and len(set(first)) > 1
    assert all(2 <= backoff(10, out) <= 4 for _ in range(20))
    assert backoff(1, out, retry_after=9) == 9


def test_too_large_batch_splits_into_halves_with_derived_keys() -> None:
    import gzip

    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

    from meshscope.agent.encode import compress, logs_request
    from meshscope.agent.records import LogEntry
    from meshscope.agent.sender import split_logs
    from meshscope.agent.spool import Batch

    body = compress(logs_request({"service.name": "s"}, [LogEntry(f"line {i}", i + 1) for i in range(5)]), True)
    parts = split_logs(Batch(1, "f:0-5:ab", "logs", "f", 0, 5, 5, len(body), body), gzipped=True)
    assert parts is not None and [(k, n) for k, n, _ in parts] == [("f:0-5:ab/0", 2), ("f:0-5:ab/1", 3)]
    second = ExportLogsServiceRequest.FromString(gzip.decompress(parts[1][2]))
    rl = second.resource_logs[0]
    assert rl.resource.attributes[0].value.string_value == "s"
    assert [r.body.string_value for r in rl.scope_logs[0].log_records] == ["line 2", "line 3", "line 4"]
