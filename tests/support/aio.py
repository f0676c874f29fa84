"""Run a coroutine to completion from a synchronous test, whatever loop the main thread holds.

Playwright's sync API (the browser tests) leaves an event loop running in the main thread for the
rest of the session, where ``asyncio.run`` refuses to start; a fresh thread has no loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)`` in a thread of its own; returns its result or raises its error."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
