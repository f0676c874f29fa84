"""The Prometheus HTTP API (``/api/v1/...``): what Grafana's Prometheus data source and promtool call.

Handlers parse parameters, run one lookup or query in a worker thread and shape Prometheus'
envelope; PromQL itself is :mod:`meshscope.promql` over :class:`ClickHouseSource`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import promql_parser
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

import meshscope
from meshscope.api import prom_json
from meshscope.api.errors import retry_headers
from meshscope.api.prom_params import MAX_TIME_MS, MIN_TIME_MS, Params, now_ms
from meshscope.errors import BadData, MeshscopeError
from meshscope.metrics.catalog import SeriesCatalog
from meshscope.metrics.series_labels import SeriesLabels
from meshscope.metrics.source import ClickHouseSource
from meshscope.promql import Engine, EngineOptions, ast
from meshscope.promql.heap import keep_freed_memory
from meshscope.promql.labels import is_valid_name
from meshscope.promql.parse import parse_query
from meshscope.server import Meshscope

MAX_POINTS = 11_000
Handler = Callable[[Params], Awaitable[Response]]


def _api(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return await fn(await Params.of(request))
        except MeshscopeError as exc:
            return prom_json.error(exc.error_type, exc.message, retry_headers(exc))
    endpoint.__doc__ = fn.__doc__
    return endpoint


def _range(p: Params) -> tuple[int | None, int | None]:
    start, end = p.time_ms("start", MIN_TIME_MS), p.time_ms("end", MAX_TIME_MS)
    if end < start:
        raise BadData('invalid parameter "end": end timestamp must not be before start time')
    if start == MIN_TIME_MS and end == MAX_TIME_MS:
        return None, None
    return start, end


def _selectors(expr: ast.Expr) -> list[list[Any]]:
    return [list(n.matchers) for n in ast.walk(expr) if isinstance(n, ast.VectorSelector)]


class PrometheusApi:
    """The handlers, bound to one server's storage."""

    def __init__(self, ms: Meshscope) -> None:
        self.ms = ms
        self.series_labels = SeriesLabels()  # shared by every query of this server
        keep_freed_memory()  # query arrays are reused, not faulted in afresh (see promql.heap)

    @property
    def catalog(self) -> SeriesCatalog:
        assert self.ms.executor is not None
        return SeriesCatalog(self.ms.executor)

    def engine(self, p: Params) -> Engine:
        assert self.ms.executor is not None
        timeout = p.duration_ms("timeout") / 1000 if p.get("timeout") else 120.0
        return Engine(ClickHouseSource(self.ms.executor, self.series_labels), EngineOptions(timeout_s=timeout))

    async def query(self, p: Params) -> Response:
        """Instant query: ``query``, ``time`` (default now), ``timeout``."""
        engine, t = self.engine(p), p.time_ms("time", now_ms())
        value = await run_in_threadpool(engine.instant, p.get("query"), t)
        return prom_json.success_raw(prom_json.result_json(value))

    async def query_range(self, p: Params) -> Response:
        """Range query: ``query``, ``start``, ``end``, ``step`` (seconds or a duration), ``timeout``."""
        start, end = p.time_ms("start", -1), p.time_ms("end", -1)
        if start == -1 or end == -1:
            raise BadData('invalid parameter "start"/"end": both are required')
        step = p.duration_ms("step")
        if step <= 0:
            raise BadData('invalid parameter "step": zero or negative query resolution step widths are not '
                          'accepted. Try a positive integer')
        if (end - start) // step > MAX_POINTS:
            raise BadData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the "
                          "query resolution (?step=XX)")
        engine = self.engine(p)
        value = await run_in_threadpool(engine.range, p.get("query"), start, end, step)
        return prom_json.success_raw(prom_json.result_json(value))

    async def series(self, p: Params) -> Response:
        """Series matching any ``match[]`` in [``start``, ``end``]."""
        sets, (start, end) = p.matcher_sets(required=True), _range(p)
        found = await run_in_threadpool(self.catalog.series, sets, start, end, p.limit())
        return prom_json.success([dict(s) for s in found])

    async def labels(self, p: Params) -> Response:
        sets, (start, end) = p.matcher_sets(), _range(p)
        return prom_json.success(await run_in_threadpool(self.catalog.label_names, sets, start, end, p.limit()))

    async def label_values(self, p: Params, name: str) -> Response:
        if not (is_valid_name(name) or name == "__name__"):
            raise BadData(f"invalid label name: {name!r}")
        sets, (start, end) = p.matcher_sets(), _range(p)
        values = await run_in_threadpool(self.catalog.label_values, name, sets, start, end, p.limit())
        return prom_json.success(values)

    async def metadata(self, p: Params) -> Response:
        per = int(p.get("limit_per_metric") or 0)
        return prom_json.success(await run_in_threadpool(self.catalog.metadata, p.get("metric"), p.limit(), per))

    async def exemplars(self, p: Params) -> Response:
        """Exemplars of the series the ``query``'s selectors match, in [``start``, ``end``]."""
        sets = _selectors(parse_query(p.get("query")))
        start, end = p.time_ms("start", now_ms() - 3_600_000), p.time_ms("end", now_ms())
        found = await run_in_threadpool(self.catalog.exemplars, sets, start, end) if sets else []
        for series in found:
            for e in series["exemplars"]:
                e["value"] = prom_json.format_value(e["value"])
        return prom_json.success(found)

    async def format_query(self, p: Params) -> Response:
        text = p.get("query")
        parse_query(text)  # our errors, worded like Prometheus'
        return prom_json.success(promql_parser.parse(text).prettify())

    async def buildinfo(self, p: Params) -> Response:
        """The Prometheus API level we answer (2.42) so clients pick matching features."""
        return prom_json.success({"version": "2.42.0", "revision": f"meshscope-{meshscope.__version__}",
                                  "branch": "meshscope", "buildUser": "meshscope", "buildDate": "",
                                  "goVersion": "none"})

    async def targets(self, p: Params) -> Response:
        scrape = getattr(self.ms, "scrape", None)
        state = p.get("state") or "any"
        data = scrape.targets_api(state) if scrape is not None else {"activeTargets": [], "droppedTargets": []}
        return prom_json.success(data)


def router(ms: Meshscope) -> APIRouter:
    api = PrometheusApi(ms)
    r = APIRouter(tags=["prometheus"])
    both = ["GET", "POST"]
    for path, fn in (("/api/v1/query", api.query), ("/api/v1/query_range", api.query_range),
                     ("/api/v1/series", api.series), ("/api/v1/labels", api.labels),
                     ("/api/v1/metadata", api.metadata), ("/api/v1/query_exemplars", api.exemplars),
                     ("/api/v1/format_query", api.format_query), ("/api/v1/status/buildinfo", api.buildinfo),
                     ("/api/v1/targets", api.targets)):
        r.add_api_route(path, _api(fn), methods=both if "status" not in path else ["GET"], summary=fn.__doc__)

    @r.get("/api/v1/label/{name}/values", summary="Values of one label")
    async def label_values(name: str, request: Request) -> Response:
        try:
            return await api.label_values(await Params.of(request), name)
        except MeshscopeError as exc:
            return prom_json.error(exc.error_type, exc.message)

    return r
