"""Prometheus remote_write 1.0 receiver: ``POST /api/v1/write`` (protobuf in snappy block format).

204 once the samples are stored; 400 with a plain-text reason for data a retry cannot fix (senders
drop it); 429/503 with ``Retry-After`` only when a retry can succeed (senders back off and resend).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from concurrent.futures import Future

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from meshscope.api.errors import http_status, retry_headers
from meshscope.api.otlp_http import IDEMPOTENCY_HEADER, read_limited
from meshscope.decode.prometheus import remote_write
from meshscope.errors import BadData, MeshscopeError
from meshscope.server import Meshscope
from meshscope.storage.metric_streams import PROM_METADATA, PROM_WRITE
from meshscope.storage.writer import WriteResult

MAX_BODY_BYTES = 64 * 1024 * 1024  # after decompression; Prometheus sends ~2000 samples (~300 KiB)


async def store(ms: Meshscope, decoded: remote_write.RemoteWriteBody, protocol: str, key: str = "") -> None:
    """Submit the samples and the metadata of one request and wait until both are stored."""
    futures: list[Future[WriteResult]] = []
    if decoded.metadata:
        body = "\n".join(json.dumps(m) for m in decoded.metadata).encode()
        fut = ms.submit_body(PROM_METADATA, "metrics", protocol, body, len(decoded.metadata))
        futures += [fut] if fut else []
    fut = ms.submit_body(PROM_WRITE, "metrics", protocol, decoded.body, decoded.estimated_samples,
                         idempotency_key=key)
    futures += [fut] if fut else []
    try:
        # shielded: a client that hangs up must not cancel a write the writer thread will resolve
        await asyncio.shield(asyncio.gather(*(asyncio.wrap_future(f) for f in futures)))
    except BadData:
        reason = await run_in_threadpool(remote_write.explain, decoded.body)
        raise BadData(reason) from None


def _identity(raw: bytes) -> str:
    """A retry resends the same compressed bytes: hashing those costs a third of hashing the protobuf."""
    return "rw-" + hashlib.blake2b(raw, digest_size=16).hexdigest()


def router(ms: Meshscope) -> APIRouter:
    r = APIRouter()

    @r.post("/api/v1/write", status_code=204, tags=["prometheus"],
            summary="Prometheus remote_write 1.0 (snappy-compressed protobuf WriteRequest)")
    async def write(request: Request) -> Response:
        try:
            raw = await read_limited(request, MAX_BODY_BYTES)
            decoded = remote_write.decode(raw, MAX_BODY_BYTES)
            await store(ms, decoded, "remote_write", request.headers.get(IDEMPOTENCY_HEADER, "") or _identity(raw))
        except MeshscopeError as exc:
            status = http_status(exc)
            ms.metrics.refused.labels("metrics", "remote_write", str(status)).inc()
            return PlainTextResponse(exc.message + "\n", status, retry_headers(exc))
        return Response(status_code=204)

    return r
