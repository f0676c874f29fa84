"""Read-only SQL over meshscope's tables, for power users and tests (the server owns the storage).

The statement runs as a subquery (only a SELECT can be one) with ``readonly`` set, so nothing can
be changed through this door. ``SELECT *`` includes alias columns: ``logs.trace_id`` is one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from meshscope.api.errors import http_status
from meshscope.errors import BadData, MeshscopeError, StorageError
from meshscope.server import Meshscope

MAX_ROWS = 10_000


def wrap(statement: str, limit: int) -> str:
    text = statement.strip().rstrip(";").strip()
    if not text:
        raise BadData("query is empty")
    if ";" in text:
        raise BadData("one statement at a time")
    return f"SELECT * FROM ({text}) LIMIT {int(limit)}"


def router(ms: Meshscope) -> APIRouter:
    r = APIRouter(tags=["meshscope"])

    async def run(query: str, limit: int) -> JSONResponse:
        assert ms.executor is not None
        ex = ms.executor
        try:
            sql = wrap(query, min(limit, MAX_ROWS))
            rows: list[dict[str, Any]] = await run_in_threadpool(
                ex.rows, sql, {"readonly": 1, "max_execution_time": 60, "asterisk_include_alias_columns": 1})
        except StorageError as exc:  # the statement is the caller's: its errors are theirs to fix
            return JSONResponse({"error": exc.message, "errorType": "bad_data"}, 400)
        except MeshscopeError as exc:
            return JSONResponse({"error": exc.message, "errorType": exc.error_type}, http_status(exc))
        return JSONResponse({"data": rows, "rows": len(rows)})

    @r.get("/api/ms/sql", summary="Run a read-only SELECT over meshscope's tables")
    async def sql_get(query: str = Query(..., description="A SELECT statement"),
                      limit: int = Query(1000, ge=1)) -> JSONResponse:
        return await run(query, limit)

    @r.post("/api/ms/sql", summary="Run a read-only SELECT (statement in the body)")
    async def sql_post(query: str = Body(..., media_type="text/plain"), limit: int = Query(1000, ge=1)) -> JSONResponse:
        return await run(query, limit)

    return r
