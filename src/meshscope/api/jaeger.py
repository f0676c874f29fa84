"""Jaeger v1 query API (``/api/services``, ``/api/traces``...), read by Grafana and the Jaeger UI."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from meshscope.errors import BadData, MeshscopeError
from meshscope.server import Meshscope
from meshscope.traces.jaeger import envelope, jaeger_trace
from meshscope.traces.query import TraceSearch, duration_ns, parse_tags

DEFAULT_LOOKBACK_S = 3600
MAX_LIMIT = 1500


def _error(exc: MeshscopeError) -> JSONResponse:
    from meshscope.api.errors import http_status

    status = http_status(exc)
    return JSONResponse(envelope(None, 0, [{"code": status, "msg": exc.message}]), status)


def _int_param(params: Any, name: str, default: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadData(f"{name}: {raw!r} is not an integer") from None


def search_from_params(params: Any) -> TraceSearch:
    """A :class:`TraceSearch` from Jaeger-style query parameters (µs times, Go durations)."""
    now_us = int(time.time() * 1e6)
    lookback = params.get("lookback")
    default_span_us = DEFAULT_LOOKBACK_S * 10**6
    if lookback and lookback != "custom":
        default_span_us = int((duration_ns("lookback", lookback) or 0) // 1000)
    end_us = _int_param(params, "end", now_us)
    start_us = _int_param(params, "start", end_us - default_span_us)
    if start_us > end_us:
        raise BadData("start must not be after end")
    limit = _int_param(params, "limit", 20)
    if not 0 < limit <= MAX_LIMIT:
        raise BadData(f"limit must be between 1 and {MAX_LIMIT}")
    status = params.get("status", "") or ""
    if status not in ("", "error", "ok"):
        raise BadData("status must be error or ok")
    return TraceSearch(
        start_ns=start_us * 1000, end_ns=end_us * 1000, service=params.get("service", "") or "",
        operation=params.get("operation", "") or "", tags=parse_tags(params.get("tags", "") or ""),
        min_duration_ns=duration_ns("minDuration", params.get("minDuration")),
        max_duration_ns=duration_ns("maxDuration", params.get("maxDuration")),
        status=status, limit=limit)


def router(ms: Meshscope) -> APIRouter:
    r = APIRouter(tags=["jaeger"])

    @r.get("/api/services", summary="Services that sent spans")
    async def services() -> JSONResponse:
        data = await run_in_threadpool(lambda: ms.traces.services())
        return JSONResponse(envelope(data))

    @r.get("/api/services/{service}/operations", summary="Operation names of a service")
    async def service_operations(service: str) -> JSONResponse:
        ops = await run_in_threadpool(lambda: ms.traces.operations(service))
        return JSONResponse(envelope(sorted({o["name"] for o in ops})))

    @r.get("/api/operations", summary="Operations with span kind")
    async def operations(service: str = "", spanKind: str = "") -> JSONResponse:  # noqa: N803 - Jaeger's name
        ops = await run_in_threadpool(lambda: ms.traces.operations(service, spanKind))
        return JSONResponse(envelope(ops))

    @r.get("/api/traces", summary="Search traces (Jaeger parameters; times in microseconds)")
    async def traces(request: Request) -> JSONResponse:
        try:
            search = search_from_params(request.query_params)
            data = await run_in_threadpool(_search_traces, ms, search)
        except MeshscopeError as exc:
            return _error(exc)
        return JSONResponse(envelope(data))

    @r.get("/api/traces/{trace_id}", summary="One trace by id")
    async def trace(trace_id: str) -> JSONResponse:
        tid = trace_id.lower().rjust(32, "0")
        if len(tid) != 32 or any(c not in "0123456789abcdef" for c in tid):
            return JSONResponse(envelope(None, 0, [{"code": 400, "msg": f"invalid trace id {trace_id!r}"}]), 400)
        spans = await run_in_threadpool(lambda: ms.traces.spans([tid]))
        if tid not in spans:
            return JSONResponse(envelope(None, 0, [{"code": 404, "msg": "trace not found"}]), 404)
        return JSONResponse(envelope([jaeger_trace(tid, spans[tid])]))

    return r


def _search_traces(ms: Meshscope, search: TraceSearch) -> list[dict[str, Any]]:
    store = ms.traces
    ids = store.search_ids(search)
    spans = store.spans(ids)
    return [jaeger_trace(tid, spans[tid]) for tid in ids if tid in spans]
