"""Run a server until SIGTERM/SIGINT: HTTP ports and OTLP/gRPC in one process, then a clean stop.

Order matters on the way down: stop taking requests, let in-flight ones finish (they wait for
their inserts), then flush and close the writers, so nothing accepted is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Iterator

import uvicorn
from fastapi import FastAPI

from meshscope.api.app import create_app, create_otlp_app
from meshscope.api.otlp_grpc import start_grpc
from meshscope.config import Settings
from meshscope.ingest.syslog_server import SyslogListener
from meshscope.promql.heap import keep_freed_memory
from meshscope.server import Meshscope

log = logging.getLogger("meshscope")


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to us (we run two in one loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _uvicorn(app: FastAPI, host: str, port: int, log_level: str) -> _QuietServer:
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=False,
                            timeout_graceful_shutdown=30, lifespan="off")
    return _QuietServer(config)


def run_server(settings: Settings, on_ready: Callable[[Meshscope], None] | None = None) -> None:
    """Start everything, serve until a stop signal, then stop everything in order."""
    keep_freed_memory()  # before any thread starts: one malloc arena (see meshscope.promql.heap)
    ms = Meshscope(settings)
    ms.start()
    grpc_server = None
    try:
        if settings.otlp.enabled:
            grpc_server, _ = start_grpc(ms, settings.otlp.host, settings.otlp.grpc_port)
        asyncio.run(_serve(ms, settings, on_ready))
    finally:
        if grpc_server is not None:
            grpc_server.stop(grace=10).wait()
        ms.stop()
        log.info("meshscope stopped; accepted data flushed")


async def _serve_one(server: _QuietServer) -> None:
    try:
        await server.serve()
    except SystemExit:  # uvicorn exits when it cannot bind; we report it below
        pass


async def _serve(ms: Meshscope, settings: Settings, on_ready: Callable[[Meshscope], None] | None) -> None:
    level = settings.log_level.lower()
    servers = [_uvicorn(create_app(ms), settings.http.host, settings.http.port, level)]
    if settings.otlp.enabled:
        servers.append(_uvicorn(create_otlp_app(ms), settings.otlp.host, settings.otlp.http_port, level))
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for server in servers:
            server.should_exit = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    syslog = SyslogListener(ms, settings) if settings.syslog.enabled else None
    if syslog is not None:
        await syslog.start()
    tasks = [asyncio.create_task(_serve_one(s)) for s in servers]
    while not all(s.started for s in servers):
        if any(t.done() for t in tasks):
            stop()
            break
        await asyncio.sleep(0.05)
    else:
        if on_ready:
            on_ready(ms)
    await asyncio.gather(*tasks, return_exceptions=True)
    if syslog is not None:
        await syslog.stop()
    failed = [s for s in servers if not s.started]
    if failed:
        raise SystemExit(f"could not open HTTP port(s): {', '.join(str(s.config.port) for s in failed)}")
