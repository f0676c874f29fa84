"""Log records to an OTLP ``ExportLogsServiceRequest`` (one resource per batch: one source)."""

from __future__ import annotations

import gzip
import time

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord

from meshscope.agent.records import LogEntry

SCOPE = "meshscope.agent"


def _kv(items: dict[str, str]) -> list[KeyValue]:
    return [KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in items.items()]


def logs_request(resource: dict[str, str], entries: list[LogEntry], observed_ns: int | None = None) -> bytes:
    """The serialized request; ``observed_ns`` is when the agent read the lines."""
    observed = observed_ns or time.time_ns()
    req = ExportLogsServiceRequest()
    rl = req.resource_logs.add()
    rl.resource.attributes.extend(_kv(resource))
    sl = rl.scope_logs.add()
    sl.scope.name = SCOPE
    records = sl.log_records
    for e in entries:
        rec = LogRecord(time_unix_nano=e.time_ns, observed_time_unix_nano=observed,
                        severity_number=e.severity_number,  # type: ignore[arg-type]
                        severity_text=e.severity_text, body=AnyValue(string_value=e.body))
        if e.attributes:
            rec.attributes.extend(_kv(e.attributes))
        records.append(rec)
    return bytes(req.SerializeToString())


def compress(body: bytes, enabled: bool) -> bytes:
    """gzip at a low level: the agent's CPU matters more than a few percent of bytes."""
    return gzip.compress(body, compresslevel=1, mtime=0) if enabled else body
