"""What every demo service shares: its context, the FastAPI app shell, RED metrics, error replies.

Each service module only adds routes; tracing of incoming requests, the request counter and
latency histogram, ``/healthz`` and the translation of :class:`PeerError` live here once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry import metrics, trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.trace import Span, Status, StatusCode

from meshscope.demo.faults import FaultPlan
from meshscope.demo.peers import PeerError, Peers

# not traced: the runner's readiness polls and the queue's intake (traced as PRODUCER/CONSUMER)
UNTRACED_PATHS = "healthz,events"
Hook = Callable[[], Awaitable[None]]


@dataclass
class ServiceContext:
    """What a service's routes need: its randomness, fault plan, peers, state and OTel handles."""

    name: str
    faults: FaultPlan
    peers: Peers
    state_dir: Path
    rng: random.Random = field(default_factory=random.Random)
    startups: list[Hook] = field(default_factory=list)
    cleanups: list[Hook] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tracer = trace.get_tracer(f"meshscope.demo.{self.name}")
        self.meter = metrics.get_meter(f"meshscope.demo.{self.name}")
        self.log = logging.getLogger(f"meshscope.demo.{self.name}")


def error_reply(status: int, message: str, **extra: object) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def mark_failed(span: Span, exc: BaseException, message: str | None = None) -> None:
    """Record ``exc`` with its stack trace on ``span`` and mark the span as an error."""
    span.record_exception(exc)
    span.set_status(Status(StatusCode.ERROR, message or str(exc)))


def create_app(ctx: ServiceContext) -> FastAPI:
    """A traced FastAPI app with ``/healthz``, RED metrics and peer-error replies."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for startup in ctx.startups:
            await startup()
        yield
        for cleanup in reversed(ctx.cleanups):
            await cleanup()
        await ctx.peers.aclose()

    app = FastAPI(title=f"meshscope demo: {ctx.name}", lifespan=lifespan)
    _add_red_metrics(app, ctx)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": ctx.name}

    @app.exception_handler(PeerError)
    async def peer_failed(_: Request, exc: PeerError) -> Response:
        span = trace.get_current_span()
        span.add_event("peer call failed", {"peer.service": exc.peer, "error.reason": exc.reason})
        ctx.log.warning("call to %s failed: %s", exc.peer, exc.reason)
        return error_reply(exc.status, exc.reason, peer=exc.peer)

    # the per-message ASGI "http send/receive" spans would only add noise to every trace
    FastAPIInstrumentor.instrument_app(app, excluded_urls=UNTRACED_PATHS, exclude_spans=["receive", "send"])
    return app


def _add_red_metrics(app: FastAPI, ctx: ServiceContext) -> None:
    """Request counter and latency histogram labelled by route template and status code."""
    requests = ctx.meter.create_counter(
        "demo.requests", unit="{request}", description="HTTP requests served, by route and status")
    latency = ctx.meter.create_histogram(
        "demo.request.duration", unit="s", description="Time to serve one HTTP request",
        explicit_bucket_boundaries_advisory=[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5])

    @app.middleware("http")
    async def red(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path == "/healthz":
            return await call_next(request)
        start = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            route = getattr(request.scope.get("route"), "path", "unmatched")
            attrs = {"http.route": route, "http.request.method": request.method,
                     "http.response.status_code": status}
            requests.add(1, attrs)
            latency.record(time.perf_counter() - start, attrs)
