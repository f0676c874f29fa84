"""What every HTTP log door shares: decoding options, reading the body, storing, error replies.

Each door decodes in a worker thread, queues the encoded streams on the ``logs`` write stream
and answers only once the insert returned. A retry of the same request bytes is recognised by
its digest (the queued body differs: it carries the receive time) and not stored twice.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable

from fastapi import Request
from fastapi.responses import JSONResponse

from meshscope.api.errors import http_status, retry_headers
from meshscope.api.otlp_http import read_limited
from meshscope.decode.otlp.requests import decompress
from meshscope.errors import MeshscopeError
from meshscope.model.log_streams import StreamRows
from meshscope.server import Meshscope
from meshscope.storage import log_rows
from meshscope.storage.writer import WriteResult

STREAM = "logs"


async def read_body(request: Request, ms: Meshscope) -> bytes:
    """The request body without gzip/deflate Content-Encoding, within ``logs.max_body_bytes``."""
    limit = ms.settings.logs.max_body_bytes
    raw = await read_limited(request, limit)
    encoding = request.headers.get("content-encoding", "")
    if encoding.strip().lower() == "snappy":  # Loki protobuf bodies are snappy whatever the header says
        return raw
    return decompress(raw, encoding, limit)


def request_key(protocol: str, body: bytes) -> str:
    return protocol + ":" + hashlib.blake2b(body, digest_size=16).hexdigest()


def encode(streams: Iterable[StreamRows]) -> tuple[bytes, int]:
    """The queued body and its line count (run it in a worker thread: it is the costly part)."""
    streams = list(streams)
    return log_rows.encode(streams), sum(len(s) for s in streams)


async def store(ms: Meshscope, body: bytes, lines: int, protocol: str, key: str,
                rejected: int = 0) -> WriteResult | None:
    """Queue an encoded body and wait until it is inserted (raises Unavailable when the queue is full)."""
    future = ms.submit_body(STREAM, "logs", protocol, body, lines, rejected, key)
    if future is None:
        return None
    return await asyncio.wrap_future(future)


def error_reply(exc: MeshscopeError) -> JSONResponse:
    """Our error in the JSON envelope, with ``Retry-After`` when a retry can succeed."""
    return JSONResponse({"error": exc.message, "errorType": exc.error_type}, http_status(exc),
                        headers=retry_headers(exc))
