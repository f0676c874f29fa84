"""meshscope's own trace search for result lists: summaries, not whole traces."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from meshscope.api.errors import http_status
from meshscope.api.jaeger import search_from_params
from meshscope.errors import MeshscopeError
from meshscope.server import Meshscope


def router(ms: Meshscope) -> APIRouter:
    r = APIRouter(tags=["meshscope"])

    @r.get("/api/ms/traces/search", summary="Trace summaries matching a search, newest first")
    async def search(request: Request) -> JSONResponse:
        try:
            query = search_from_params(request.query_params)
            data = await run_in_threadpool(_summaries, ms, query)
        except MeshscopeError as exc:
            status = http_status(exc)
            return JSONResponse({"data": None, "errors": [{"code": status, "msg": exc.message}]}, status)
        return JSONResponse({"data": data, "errors": None})

    return r


def _summaries(ms: Meshscope, query: Any) -> list[dict[str, Any]]:
    store = ms.traces
    out = []
    for s in store.summaries(store.search_ids(query)):
        d = asdict(s)
        out.append({"traceID": d["trace_id"], "rootService": d["root_service"], "rootName": d["root_name"],
                    "startTime": d["start_ns"] // 1000, "duration": (d["end_ns"] - d["start_ns"]) // 1000,
                    "spanCount": d["span_count"], "errorCount": d["error_count"], "services": d["services"]})
    return out
