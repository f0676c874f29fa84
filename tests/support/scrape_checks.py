"""Polling helpers for scrape tests: instant queries and waiting until a check passes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from support.server import ServerProcess

T = TypeVar("T")


def query(ms: ServerProcess, q: str) -> list[dict[str, Any]]:
    r = ms.get("/api/v1/query", query=q)
    assert r.status_code == 200, r.text
    return list(r.json()["data"]["result"])


def eventually(check: Callable[[], T], timeout: float = 8.0) -> T:
    """``check()``'s value once it stops raising ``AssertionError`` (the last one is raised at the deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
