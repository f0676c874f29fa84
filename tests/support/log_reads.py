"""Reading stored log lines back through the server's read-only SQL API."""

from __future__ import annotations

import time

import httpx

from support.server import ServerProcess


def sql(server: ServerProcess, query: str) -> list[dict]:
    r = httpx.get(f"{server.http_url}/api/ms/sql", params={"query": query}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["data"]


def lines_of(server: ServerProcess, where: str, columns: str = "body") -> list[dict]:
    return sql(server, f"SELECT {columns} FROM meshscope.logs WHERE {where} ORDER BY timestamp, body")


def wait_for(server: ServerProcess, where: str, n: int, columns: str = "body", timeout: float = 10) -> list[dict]:
    """Rows of a door without acknowledgements (syslog): poll until ``n`` arrived."""
    deadline = time.monotonic() + timeout
    while True:
        rows = lines_of(server, where, columns)
        if len(rows) >= n or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)
