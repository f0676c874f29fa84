"""OTLP/gRPC on its own port: the three collector services, with raw request bytes.

The request bytes go to storage as they came (ClickHouse parses them natively); Python parses
them once only to validate and count. Status codes follow the OTLP specification: bad data is
INVALID_ARGUMENT (not retried), a full write path is UNAVAILABLE (retried with backoff).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent import futures
from typing import Any

import grpc
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceResponse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from meshscope.decode.otlp.requests import PROTOBUF_TYPES, Signal, decode_request
from meshscope.errors import BadData, MeshscopeError, Unavailable
from meshscope.server import Meshscope

log = logging.getLogger(__name__)

_SERVICES = {
    Signal.TRACES: ("opentelemetry.proto.collector.trace.v1.TraceService", ExportTraceServiceResponse,
                    "rejected_spans"),
    Signal.LOGS: ("opentelemetry.proto.collector.logs.v1.LogsService", ExportLogsServiceResponse,
                  "rejected_log_records"),
    Signal.METRICS: ("opentelemetry.proto.collector.metrics.v1.MetricsService", ExportMetricsServiceResponse,
                     "rejected_data_points"),
}
_WRITE_TIMEOUT_S = 60.0


def _identity(b: bytes) -> bytes:
    return b


def _exporter(ms: Meshscope, signal: Signal) -> Callable[[bytes, grpc.ServicerContext], bytes]:
    _, response_cls, field = _SERVICES[signal]

    def export(raw: bytes, context: grpc.ServicerContext) -> bytes:
        key = dict(context.invocation_metadata()).get("x-meshscope-idempotency-key", "")
        try:
            decoded = decode_request(signal, raw, PROTOBUF_TYPES[0])
            future = ms.submit(decoded, "otlp_grpc", str(key))
            if future is not None:
                future.result(_WRITE_TIMEOUT_S)
        except BadData as exc:
            ms.metrics.refused.labels(signal.value, "otlp_grpc", "INVALID_ARGUMENT").inc()
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, exc.message)
        except (Unavailable, MeshscopeError, futures.TimeoutError) as exc:
            ms.metrics.refused.labels(signal.value, "otlp_grpc", "UNAVAILABLE").inc()
            message = exc.message if isinstance(exc, MeshscopeError) else "insert did not finish in time"
            context.abort(grpc.StatusCode.UNAVAILABLE, message)
        response: Any = response_cls()
        if decoded.rejected:
            setattr(response.partial_success, field, decoded.rejected)
            response.partial_success.error_message = decoded.reason
        return bytes(response.SerializeToString())

    return export


def start_grpc(ms: Meshscope, host: str, port: int, workers: int = 16) -> tuple[grpc.Server, int]:
    """Start the OTLP gRPC server; return it and the port it bound (0 picks a free one)."""
    limit = ms.settings.otlp.max_body_bytes
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="otlp-grpc"),
                         options=[("grpc.max_receive_message_length", limit),
                                  ("grpc.max_send_message_length", 4 * 1024 * 1024)])
    for signal, (service, _, _) in _SERVICES.items():
        handler = grpc.unary_unary_rpc_method_handler(
            _exporter(ms, signal), request_deserializer=_identity, response_serializer=_identity)
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service, {"Export": handler}),))
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise OSError(f"cannot bind OTLP gRPC to {host}:{port}")
    server.start()
    return server, bound
