"""A traced SQLite database for the demo's stateful services.

SQLite is synchronous, so work runs in a worker thread; ``asyncio.to_thread`` copies the
context, which keeps every ``db.system=sqlite`` span a child of the request that caused it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from opentelemetry.instrumentation.sqlite3 import SQLite3Instrumentor

T = TypeVar("T")


class SqliteDatabase:
    """One instrumented connection, used by one thread at a time."""

    def __init__(self, path: Path, schema: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=5.0)
        raw.executescript(schema)  # before instrumenting: setup is not part of any request
        self._conn = SQLite3Instrumentor.instrument_connection(raw)
        self._lock = threading.Lock()

    async def run(self, work: Callable[[sqlite3.Cursor], T]) -> T:
        """Run ``work`` with a cursor in a worker thread, serialised with other work."""
        return await asyncio.to_thread(self._locked, work)

    def _locked(self, work: Callable[[sqlite3.Cursor], T]) -> T:
        with self._lock:
            cur = self._conn.cursor()
            try:
                return work(cur)
            finally:
                cur.close()

    def close(self) -> None:
        with self._lock:
            self._conn.close()


@contextmanager
def transaction(cur: sqlite3.Cursor) -> Iterator[sqlite3.Cursor]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on error (each statement is its own span)."""
    cur.execute("BEGIN IMMEDIATE")
    try:
        yield cur
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    cur.execute("COMMIT")
