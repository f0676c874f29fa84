"""Loki push (``POST /loki/api/v1/push``): what Promtail, Grafana Alloy, Vector, Fluent Bit and
python-logging-loki send. 204 once stored; 400 (plain text, as Loki) naming refused lines while
the good ones are kept; 429/503 with ``Retry-After`` when full, so the shipper retries.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from meshscope.api import log_doors
from meshscope.decode.log_fields import LogOptions
from meshscope.decode.loki_push import decode_push
from meshscope.errors import BadData, MeshscopeError
from meshscope.server import Meshscope


def _decode(body: bytes, content_type: str, opts: LogOptions) -> tuple[bytes, int, int, str]:
    decoded = decode_push(body, content_type, opts)
    encoded, lines = log_doors.encode(decoded.streams)
    return encoded, lines, decoded.rejected, decoded.reason


def router(ms: Meshscope) -> APIRouter:
    r = APIRouter(tags=["logs"])

    @r.post("/loki/api/v1/push", status_code=204, summary="Loki push: JSON or protobuf+snappy, gzip")
    async def push(request: Request) -> Response:
        try:
            body = await log_doors.read_body(request, ms)
            encoded, lines, rejected, reason = await run_in_threadpool(
                _decode, body, request.headers.get("content-type", ""), LogOptions.now(ms.settings))
            if lines:
                await log_doors.store(ms, encoded, lines, "loki", log_doors.request_key("loki", body), rejected)
            if rejected:
                raise BadData(f"{rejected} of {lines + rejected} lines refused: {reason}")
        except MeshscopeError as exc:
            return log_doors.error_reply(exc)
        return Response(status_code=204)

    return r
