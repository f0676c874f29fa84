"""Loki's query API (``/loki/api/v1/query_range``, ``/labels``, ``/tail``...) so Grafana's Loki data
source works unchanged. Handlers parse parameters, call one engine function, shape the reply.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MultiDict

import meshscope
from meshscope.api import loki_params as p
from meshscope.api.errors import http_status
from meshscope.api.loki_tail import add_tail_route
from meshscope.errors import MeshscopeError
from meshscope.logql import metadata
from meshscope.logql.engine import LogQLEngine, RangeQuery
from meshscope.logql.series import Grid
from meshscope.server import Meshscope

V1 = "/loki/api/v1"
LABELS_LOOKBACK_NS = 6 * 3600 * 10**9
QUERY_LOOKBACK_NS = 3600 * 10**9
Params = MultiDict


async def read_params(request: Request) -> Params:
    """Query string and, for POST, an urlencoded form body (Loki accepts both)."""
    items = list(request.query_params.multi_items())
    if request.method == "POST":
        body = (await request.body()).decode("utf-8", "replace")
        items += urllib.parse.parse_qsl(body, keep_blank_values=True)
    return MultiDict(items)


def _error(exc: MeshscopeError) -> JSONResponse:
    """Loki answers errors as text; Grafana also reads ``message`` from JSON, Prometheus tools ``error``."""
    return JSONResponse({"status": "error", "errorType": exc.error_type, "error": exc.message,
                         "message": exc.message}, http_status(exc))


async def answer(work: Callable[[], Any], wrap: bool = True) -> JSONResponse:
    try:
        data = await run_in_threadpool(work)
    except MeshscopeError as exc:
        return _error(exc)
    return JSONResponse({"status": "success", "data": data} if wrap else data)


def _query_range(engine: LogQLEngine, q: Params, categorize: bool) -> dict[str, Any]:
    start, end = p.time_range(q, QUERY_LOOKBACK_NS)
    step = p.parse_step("step", q.get("step"), p.default_step_ns(start, end))
    return engine.query_range(RangeQuery(p.required(q, "query"), start, end, step, p.parse_limit(q),
                                         p.parse_backward(q), categorize))


def _categorize(request: Request) -> bool:
    flags = request.headers.get("X-Loki-Response-Encoding-Flags", "")
    return "categorize-labels" in [f.strip() for f in flags.split(",")]


def _query(engine: LogQLEngine, q: Params) -> dict[str, Any]:
    return engine.query_instant(p.required(q, "query"), p.parse_time("time", q.get("time"), p.now_ns()))


def _volume(engine: LogQLEngine, q: Params, ranged: bool) -> dict[str, Any]:
    start, end = p.time_range(q, QUERY_LOOKBACK_NS)
    step = p.parse_step("step", q.get("step"), p.default_step_ns(start, end)) if ranged else 0
    targets = [t for t in (q.get("targetLabels") or "").split(",") if t]
    grid = Grid(start, end, step or max(end - start, 1))  # a vector: the value at ``end``
    return metadata.volume(engine.context(), p.required(q, "query"), grid, targets,
                           q.get("aggregateBy") == "labels", p.parse_limit(q), ranged)


def _build_info() -> dict[str, str]:
    return {"version": "3.4.2", "revision": f"meshscope-{meshscope.__version__}", "branch": "main",
            "buildUser": "meshscope", "buildDate": "", "goVersion": "meshscope"}


def engine_of(ms: Meshscope) -> LogQLEngine:
    """A LogQL engine over the running server's storage (every Loki router answers with one)."""
    assert ms.executor is not None, "server not started"
    return LogQLEngine(ms.executor)


def router(ms: Meshscope) -> APIRouter:
    r = APIRouter(tags=["loki"])

    def engine() -> LogQLEngine:
        return engine_of(ms)

    @r.api_route(f"{V1}/query_range", methods=["GET", "POST"], summary="LogQL over a time range")
    async def query_range(request: Request) -> JSONResponse:
        q = await read_params(request)
        return await answer(lambda: _query_range(engine(), q, _categorize(request)))

    @r.api_route(f"{V1}/query", methods=["GET", "POST"], summary="LogQL metric query at one time")
    async def query(request: Request) -> JSONResponse:
        q = await read_params(request)
        return await answer(lambda: _query(engine(), q))

    @r.api_route(f"{V1}/labels", methods=["GET", "POST"], summary="Stream label names")
    async def labels(request: Request) -> JSONResponse:
        q = await read_params(request)
        return await answer(lambda: metadata.label_names(
            engine().context(), *p.time_range(q, LABELS_LOOKBACK_NS), q.get("query") or ""))

    @r.api_route(f"{V1}/label/{{name}}/values", methods=["GET", "POST"], summary="Values of a stream label")
    async def label_values(name: str, request: Request) -> JSONResponse:
        q = await read_params(request)
        return await answer(lambda: metadata.label_values(
            engine().context(), name, *p.time_range(q, LABELS_LOOKBACK_NS), q.get("query") or ""))

    @r.api_route(f"{V1}/series", methods=["GET", "POST"], summary="Streams matching selectors")
    async def series(request: Request) -> JSONResponse:
        q = await read_params(request)
        selectors = q.getlist("match[]") or q.getlist("match")
        return await answer(lambda: metadata.series(engine().context(), selectors,
                                                     *p.time_range(q, LABELS_LOOKBACK_NS)))

    @r.api_route(f"{V1}/index/stats", methods=["GET", "POST"], summary="Streams, entries and bytes of a selector")
    async def index_stats(request: Request) -> JSONResponse:
        q = await read_params(request)
        return await answer(lambda: metadata.index_stats(
            engine().context(), p.required(q, "query"), *p.time_range(q, QUERY_LOOKBACK_NS)), wrap=False)

    @r.api_route(f"{V1}/index/volume", methods=["GET", "POST"], summary="Bytes per label combination")
    async def volume(request: Request) -> JSONResponse:
        q = await read_params(request)
        return await answer(lambda: _volume(engine(), q, ranged=False))

    @r.api_route(f"{V1}/index/volume_range", methods=["GET", "POST"], summary="Bytes per label combination and step")
    async def volume_range(request: Request) -> JSONResponse:
        q = await read_params(request)
        return await answer(lambda: _volume(engine(), q, ranged=True))

    @r.get(f"{V1}/status/buildinfo", summary="Version (Grafana reads it to pick features)")
    async def build_info() -> JSONResponse:
        return JSONResponse(_build_info())

    add_tail_route(r, engine)
    return r
