"""OTLP request bodies built with the official protobuf classes, for wire-level tests."""

from __future__ import annotations

import os
import time

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest


def spans_request(service: str, n: int, bad_ids: int = 0, trace_id: bytes | None = None) -> ExportTraceServiceRequest:
    """``n`` spans of ``service`` now; the first ``bad_ids`` have a 3-byte trace id."""
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    kv = rs.resource.attributes.add()
    kv.key, kv.value.string_value = "service.name", service
    ss = rs.scope_spans.add()
    now = time.time_ns()
    for i in range(n):
        sp = ss.spans.add()
        sp.trace_id = b"\x01\x02\x03" if i < bad_ids else (trace_id or os.urandom(16))
        sp.span_id = os.urandom(8)
        sp.name = f"op-{i % 3}"
        sp.kind = 2
        sp.start_time_unix_nano = now + i
        sp.end_time_unix_nano = now + i + 1_000_000
    return req
