"""``/loki/api/v1/tail``: a WebSocket that sends new lines of a log query as they are stored.

Storage is polled once a second for lines at or after the newest one sent; lines already sent
at that same nanosecond are remembered so none is sent twice.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from fastapi import APIRouter, WebSocket
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect

from meshscope.api import loki_params as p
from meshscope.errors import MeshscopeError
from meshscope.logql.ast import LogQuery
from meshscope.logql.engine import LogQLEngine
from meshscope.logql.logs_eval import select, streams
from meshscope.logql.parser import parse_log_query
from meshscope.logql.pipeline import Entry

POLL_S = 1.0
MAX_DELAY_S = 5.0
LOOKBACK_NS = 3600 * 10**9


def _key(e: Entry) -> tuple[int, str, tuple[tuple[str, str], ...]]:
    return e.ts, e.line, tuple(sorted(e.labels.items()))


class Tail:
    """The state of one tail: where it stands and which lines at that instant were sent."""

    def __init__(self, engine: LogQLEngine, query: LogQuery, start_ns: int, limit: int, delay_ns: int) -> None:
        self.engine, self.query, self.limit, self.delay_ns = engine, query, limit, delay_ns
        self.since = start_ns
        self.sent_at_since: set[tuple[int, str, tuple[tuple[str, str], ...]]] = set()
        self.first = True

    def poll(self) -> list[Entry]:
        end = p.now_ns() - self.delay_ns
        ctx = self.engine.context()
        if self.first:  # the newest `limit` lines since start, oldest first
            entries = list(reversed(select(ctx, self.query, self.since, end, self.limit, backward=True)))
            self.first = False
        else:
            entries = select(ctx, self.query, self.since, end, ctx.limits.max_entries, backward=False)
        fresh = [e for e in entries if _key(e) not in self.sent_at_since]
        if fresh:
            newest = max(e.ts for e in fresh)
            if newest != self.since:
                self.sent_at_since = set()
            self.since = newest
            self.sent_at_since |= {_key(e) for e in fresh if e.ts == newest}
        return fresh


def message(entries: list[Entry]) -> str:
    return json.dumps({"streams": streams(entries), "dropped_entries": None})


def add_tail_route(r: APIRouter, engine: Callable[[], LogQLEngine]) -> None:
    @r.websocket("/loki/api/v1/tail")
    async def tail(ws: WebSocket) -> None:
        await ws.accept()
        q = ws.query_params
        try:
            query = parse_log_query(p.required(q, "query"))
            delay_s = min(float(q.get("delay_for") or 0), MAX_DELAY_S)
            state = Tail(engine(), query, p.parse_time("start", q.get("start"), p.now_ns() - LOOKBACK_NS),
                         p.parse_limit(q), int(delay_s * 1e9))
        except (MeshscopeError, ValueError) as exc:
            await ws.close(code=1008, reason=str(getattr(exc, "message", exc))[:120])
            return
        await _run(ws, state)


async def _run(ws: WebSocket, state: Tail) -> None:
    closed = asyncio.ensure_future(ws.receive())
    try:
        while True:
            if closed.done():
                if closed.exception() or closed.result().get("type") == "websocket.disconnect":
                    return
                closed = asyncio.ensure_future(ws.receive())  # clients may send pings; keep going
            try:
                entries = await run_in_threadpool(state.poll)
            except MeshscopeError as exc:
                await ws.close(code=1011, reason=exc.message[:120])
                return
            if entries:
                await ws.send_text(message(entries))
            await asyncio.wait([closed], timeout=POLL_S)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        closed.cancel()
