"""OTLP/HTTP: ``POST /v1/traces|logs|metrics`` in protobuf or JSON, gzip or not.

Answers as the specification asks: 200 with ``partial_success`` when some items were refused,
400 with a ``google.rpc.Status`` for malformed data (clients do not retry it), 413 over the size
limit, 415 for other content types, 429/503 with ``Retry-After`` when a retry can succeed.
The reply is sent only after the accepted rows are inserted.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from google.protobuf import json_format
from google.rpc import code_pb2, status_pb2
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceResponse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from starlette.concurrency import run_in_threadpool

from meshscope.api.errors import http_status, retry_headers
from meshscope.decode.otlp.requests import PROTOBUF_TYPES, DecodedRequest, Signal, decode_request, decompress
from meshscope.errors import MeshscopeError, PayloadTooLarge
from meshscope.server import Meshscope

IDEMPOTENCY_HEADER = "x-meshscope-idempotency-key"
_RESPONSES = {Signal.TRACES: (ExportTraceServiceResponse, "rejected_spans"),
              Signal.LOGS: (ExportLogsServiceResponse, "rejected_log_records"),
              Signal.METRICS: (ExportMetricsServiceResponse, "rejected_data_points")}


def _is_json(request: Request) -> bool:
    """Reply in JSON unless the client spoke protobuf (then it can read a protobuf Status)."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower() not in PROTOBUF_TYPES


def _reply(message: Any, as_json: bool, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if as_json:
        body = json.dumps(json_format.MessageToDict(message)).encode()
        return Response(body, status, headers, media_type="application/json")
    return Response(message.SerializeToString(), status, headers,
                    media_type="application/x-protobuf")


def success(request: DecodedRequest, as_json: bool) -> Response:
    cls, field = _RESPONSES[request.signal]
    msg: Any = cls()
    if request.rejected:
        setattr(msg.partial_success, field, request.rejected)
        msg.partial_success.error_message = request.reason
    return _reply(msg, as_json)


def failure(exc: MeshscopeError, as_json: bool) -> Response:
    status = http_status(exc)
    code = {400: code_pb2.INVALID_ARGUMENT, 413: code_pb2.INVALID_ARGUMENT, 415: code_pb2.INVALID_ARGUMENT,
            429: code_pb2.RESOURCE_EXHAUSTED, 503: code_pb2.UNAVAILABLE}.get(status, code_pb2.INTERNAL)
    return _reply(status_pb2.Status(code=code, message=exc.message), as_json, status, retry_headers(exc))


async def read_limited(request: Request, limit: int) -> bytes:
    """The raw body, refused as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"request body of {declared} bytes is larger than the limit of {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def router(ms: Meshscope) -> APIRouter:
    r = APIRouter()
    limit = ms.settings.otlp.max_body_bytes

    async def export(signal: Signal, request: Request) -> Response:
        as_json = _is_json(request)
        try:
            raw = await read_limited(request, limit)
            body = decompress(raw, request.headers.get("content-encoding", ""), limit)
            decoded = await run_in_threadpool(decode_request, signal, body, request.headers.get("content-type", ""))
            await ms.write(decoded, "otlp_http", request.headers.get(IDEMPOTENCY_HEADER, ""))
        except MeshscopeError as exc:
            ms.metrics.refused.labels(signal.value, "otlp_http", str(http_status(exc))).inc()
            return failure(exc, as_json)
        return success(decoded, as_json)

    for signal in Signal:
        async def handler(request: Request, _signal: Signal = signal) -> Response:
            return await export(_signal, request)

        r.add_api_route(f"/v1/{signal.value}", handler, methods=["POST"],
                        summary=f"OTLP/HTTP export of {signal.item_name}", include_in_schema=True)
    return r
