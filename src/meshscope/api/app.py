"""The HTTP applications: the main port (UI, query APIs, JSON API) and the OTLP/HTTP port."""

from __future__ import annotations

import re
import warnings
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute

import meshscope
from meshscope.api import (
    elasticsearch,
    es_handshake,
    jaeger,
    jsonlines,
    loki_drilldown,
    loki_push,
    loki_query,
    otlp_http,
    prometheus,
    remote_write,
    sql,
    trace_search,
)
from meshscope.api.errors import http_status
from meshscope.api.ui import mount_ui
from meshscope.errors import MeshscopeError
from meshscope.server import Meshscope


def _common(app: FastAPI, ms: Meshscope) -> None:
    @app.get("/ready", summary="200 once storage is open and writers run", tags=["ops"])
    async def ready() -> Response:
        if ms.ready:
            return PlainTextResponse("ready\n")
        return PlainTextResponse("starting\n", 503)

    @app.get("/metrics", summary="meshscope's own Prometheus metrics", tags=["ops"])
    async def metrics() -> Response:
        return Response(ms.metrics.exposition(), media_type="text/plain; version=0.0.4; charset=utf-8")

    @app.exception_handler(MeshscopeError)
    async def on_error(_: Request, exc: MeshscopeError) -> JSONResponse:
        return JSONResponse({"error": exc.message, "errorType": exc.error_type}, http_status(exc))

    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in exc.errors()]
        return JSONResponse({"error": "; ".join(parts), "errorType": "bad_data"}, 400)


# Routers of the main port, in order; a new API family adds its module's ``router`` here.
MAIN_ROUTERS = [jaeger.router, trace_search.router, sql.router, otlp_http.router]
MAIN_ROUTERS += [remote_write.router, prometheus.router]  # Prometheus metrics doors
MAIN_ROUTERS += [loki_query.router, loki_drilldown.router]  # LogQL and Loki's query API
MAIN_ROUTERS += [loki_push.router, jsonlines.router, elasticsearch.router, es_handshake.router]  # log doors


def _operation_id(route: APIRoute) -> str:
    return re.sub(r"\W+", "_", f"{route.name}_{route.path_format}").strip("_").lower()


def _openapi_with_unique_ids(app: FastAPI) -> None:
    """GET+POST routes (Prometheus and Loki take both) share one handler, so FastAPI gives both
    methods one operation id; suffix the method so generated clients get distinct operations."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Duplicate Operation ID")
                schema = plain()
            for ops in schema.get("paths", {}).values():
                for method, op in ops.items():
                    if isinstance(op, dict) and "operationId" in op:
                        op["operationId"] = f"{op['operationId']}_{method}"
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(ms: Meshscope) -> FastAPI:
    """Main port: UI, Jaeger API, meshscope JSON API, OTLP/HTTP too (handy behind one proxy)."""
    app = FastAPI(title="meshscope", version=meshscope.__version__,
                  description="Logs, metrics, traces and the service map in one program.",
                  docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None,
                  generate_unique_id_function=_operation_id)
    _common(app, ms)
    for make_router in MAIN_ROUTERS:
        app.include_router(make_router(ms))
    _openapi_with_unique_ids(app)
    mount_ui(app)
    return app


def create_otlp_app(ms: Meshscope) -> FastAPI:
    """The OTLP/HTTP port (4318 by default)."""
    app = FastAPI(title="meshscope OTLP/HTTP", docs_url=None, redoc_url=None, openapi_url=None)
    _common(app, ms)
    app.include_router(otlp_http.router(ms))
    return app
