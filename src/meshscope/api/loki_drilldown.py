"""Loki endpoints behind Grafana's Logs Drilldown and query editor: detected fields and labels, log
patterns, query formatting. Response shapes are Loki 3.x's (fields and labels unwrapped, patterns
and format_query in the ``{status, data}`` envelope).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from meshscope.api import loki_params as p
from meshscope.api.loki_query import QUERY_LOOKBACK_NS, V1, answer, engine_of, read_params
from meshscope.logql import detected
from meshscope.logql.engine import LogQLEngine
from meshscope.logql.parser import parse
from meshscope.server import Meshscope

LINE_LIMIT = 1000  # Loki's default line_limit for detected fields
FIELD_LIMIT = 1000
PATTERN_LIMIT = 300


def router(ms: Meshscope) -> APIRouter:
    r = APIRouter(tags=["loki"])

    def engine() -> LogQLEngine:
        return engine_of(ms)

    @r.api_route(f"{V1}/detected_fields", methods=["GET", "POST"], summary="Fields found in a query's newest lines")
    async def detected_fields(request: Request) -> JSONResponse:
        q = await read_params(request)
        return await answer(lambda: detected.detected_fields(
            engine().context(), p.required(q, "query"), *p.time_range(q, QUERY_LOOKBACK_NS),
            p.parse_limit(q, LINE_LIMIT, "line_limit"), p.parse_limit(q, FIELD_LIMIT)), wrap=False)

    @r.api_route(f"{V1}/detected_field/{{name}}/values", methods=["GET", "POST"],
                 summary="Values of one detected field")
    async def detected_field_values(name: str, request: Request) -> JSONResponse:
        q = await read_params(request)
        return await answer(lambda: detected.detected_field_values(
            engine().context(), name, p.required(q, "query"), *p.time_range(q, QUERY_LOOKBACK_NS),
            p.parse_limit(q, LINE_LIMIT, "line_limit"), p.parse_limit(q, FIELD_LIMIT)), wrap=False)

    @r.api_route(f"{V1}/detected_labels", methods=["GET", "POST"], summary="Stream labels worth filtering on")
    async def detected_labels(request: Request) -> JSONResponse:
        q = await read_params(request)
        return await answer(lambda: detected.detected_labels(
            engine().context(), q.get("query") or "", *p.time_range(q, QUERY_LOOKBACK_NS)), wrap=False)

    @r.api_route(f"{V1}/patterns", methods=["GET", "POST"], summary="Log patterns and their counts over time")
    async def patterns(request: Request) -> JSONResponse:
        q = await read_params(request)

        def work() -> object:
            start, end = p.time_range(q, QUERY_LOOKBACK_NS)
            step = p.parse_step("step", q.get("step"), p.default_step_ns(start, end))
            return detected.log_patterns(engine().context(), p.required(q, "query"), start, end, step,
                                         p.parse_limit(q, PATTERN_LIMIT))
        return await answer(work)

    @r.api_route(f"{V1}/format_query", methods=["GET", "POST"], summary="A LogQL query in canonical form")
    async def format_query(request: Request) -> JSONResponse:
        q = await read_params(request)
        return await answer(lambda: str(parse(p.required(q, "query"))))

    return r
