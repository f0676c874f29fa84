"""OTLP/HTTP export of one spooled batch. Never raises: the outcome says whether to retry.

Like OpenTelemetry's ``SpanExportResult``, the sender loop gets a value back. Retryable: network
errors, 408, 425, 429, 5xx (honouring ``Retry-After``). Too large (413): split the batch. Other
4xx: refused for good — the data would never be accepted, retrying only blocks the spool.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import httpx
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceResponse

from meshscope.agent.config import Output

IDEMPOTENCY_HEADER = "X-Meshscope-Idempotency-Key"
RETRYABLE_4XX = {408, 425, 429}


class ExportResult(enum.Enum):
    SUCCESS = "success"
    RETRY = "retry"
    TOO_LARGE = "too_large"
    FAILURE = "failure"


@dataclass(frozen=True)
class ExportOutcome:
    result: ExportResult
    status: int = 0
    retry_after: float = 0.0
    rejected: int = 0
    message: str = ""


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 0.0
    except ValueError:
        return 0.0  # an HTTP date: fall back to our own backoff


def _rejected(signal: str, content: bytes) -> tuple[int, str]:
    cls = ExportLogsServiceResponse if signal == "logs" else ExportMetricsServiceResponse
    try:
        resp = cls.FromString(content)
    except DecodeError:
        return 0, ""
    ps = resp.partial_success
    count = ps.rejected_log_records if signal == "logs" else ps.rejected_data_points
    return int(count), str(ps.error_message)


class OtlpHttpExporter:
    def __init__(self, output: Output) -> None:
        self.base = output.endpoint.rstrip("/")
        self.headers = {"Content-Type": "application/x-protobuf", **output.headers}
        if output.gzip:
            self.headers["Content-Encoding"] = "gzip"
        self.client = httpx.Client(timeout=output.timeout)

    def export(self, signal: str, body: bytes, key: str) -> ExportOutcome:
        try:
            r = self.client.post(f"{self.base}/v1/{signal}", content=body,
                                 headers={**self.headers, IDEMPOTENCY_HEADER: key})
        except httpx.HTTPError as exc:
            return ExportOutcome(ExportResult.RETRY, message=f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # noqa: BLE001 - an exporter never raises into the loop
            return ExportOutcome(ExportResult.RETRY, message=repr(exc))
        if r.status_code == 200:
            rejected, message = _rejected(signal, r.content)
            return ExportOutcome(ExportResult.SUCCESS, 200, rejected=rejected, message=message)
        retry_after = _retry_after(r.headers.get("retry-after"))
        if r.status_code in RETRYABLE_4XX or r.status_code >= 500:
            return ExportOutcome(ExportResult.RETRY, r.status_code, retry_after, message=r.text[:200])
        if r.status_code == 413:
            return ExportOutcome(ExportResult.TOO_LARGE, 413, message=r.text[:200])
        return ExportOutcome(ExportResult.FAILURE, r.status_code, message=r.text[:200])

    def close(self) -> None:
        self.client.close()
