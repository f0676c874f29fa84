"""JSON lines over HTTP for curl: ``POST /api/ms/logs/jsonl`` with one JSON object per line.

    curl --data-binary @app.log.jsonl 'http://localhost:8080/api/ms/logs/jsonl?service_name=api'

Query parameters become stream labels. Fields are mapped as for Elasticsearch documents
(``message``/``msg``, ``@timestamp``/``time``, ``level``, ``trace_id``...). The reply counts the
stored and refused lines and names the first refused ones: 200 when any line was stored, 400
when none could be, 429/503 with ``Retry-After`` when full.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from meshscope.api import log_doors
from meshscope.decode.jsonlines import JsonLines, decode_jsonlines
from meshscope.decode.log_fields import LogOptions
from meshscope.errors import MeshscopeError
from meshscope.model.log_streams import group_records
from meshscope.server import Meshscope


def _decode(body: bytes, opts: LogOptions, labels: dict[str, str]) -> tuple[JsonLines, bytes, int]:
    decoded = decode_jsonlines(body, opts, labels)
    encoded, lines = log_doors.encode(group_records(decoded.records))
    return decoded, encoded, lines


def router(ms: Meshscope) -> APIRouter:
    r = APIRouter(tags=["logs"])

    @r.post("/api/ms/logs/jsonl", summary="Store JSON lines (one object per line); query parameters are labels")
    async def jsonl(request: Request) -> JSONResponse:
        try:
            body = await log_doors.read_body(request, ms)
            labels = {k: v for k, v in request.query_params.items() if v}
            decoded, encoded, lines = await run_in_threadpool(_decode, body, LogOptions.now(ms.settings), labels)
            if lines:
                await log_doors.store(ms, encoded, lines, "jsonl", log_doors.request_key("jsonl", body),
                                      decoded.rejected)
        except MeshscopeError as exc:
            return log_doors.error_reply(exc)
        errors = [{"line": n, "error": reason} for n, reason in decoded.errors]
        status = 400 if decoded.rejected and not lines else 200
        return JSONResponse({"accepted": lines, "rejected": decoded.rejected, "errors": errors}, status)

    return r
