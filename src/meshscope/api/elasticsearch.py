"""Elasticsearch-compatible ingest: ``GET|HEAD /``, ``/_license``, ``/_cluster/health`` and ``_bulk``.

Shippers refuse to send unless the server looks like Elasticsearch 8 (version number and the
``X-Elastic-Product`` header); start-up calls for templates and policies are answered by
:mod:`meshscope.api.es_handshake`. ``_bulk`` answers one item per action, in order; a document
whose ``_id`` was stored already is a 409 (``create``) or ``updated`` (``index``), never stored twice.
Single-document writes and reads live in :mod:`meshscope.api.es_documents`.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from meshscope.api import es_documents, log_doors
from meshscope.api.es_writes import PRODUCT_HEADERS, SHARDS, EsWrites, es_json
from meshscope.api.ui import index_response
from meshscope.decode.es_bulk import BulkItem, decode_bulk
from meshscope.decode.log_fields import LogOptions
from meshscope.errors import MeshscopeError
from meshscope.server import Meshscope

ES_VERSION = "8.17.0"


def root_info() -> dict[str, Any]:
    return {"name": "meshscope", "cluster_name": "meshscope", "cluster_uuid": "bWVzaHNjb3BlLWNsdXN0ZXI",
            "version": {"number": ES_VERSION, "build_flavor": "default", "build_type": "docker",
                        "build_hash": "meshscope", "build_date": "2024-12-11T12:08:05.663969764Z",
                        "build_snapshot": False, "lucene_version": "9.12.0",
                        "minimum_wire_compatibility_version": "7.17.0",
                        "minimum_index_compatibility_version": "7.0.0"},
            "tagline": "You Know, for Search"}


def item_json(item: BulkItem) -> dict[str, Any]:
    body: dict[str, Any] = {"_index": item.index, "_id": item.doc_id, "status": item.status}
    if item.status in (200, 201):
        body.update({"_version": 1, "result": "created" if item.status == 201 else "updated",
                     "_shards": SHARDS, "_seq_no": 0, "_primary_term": 1})
    else:
        body["error"] = {"type": item.error_type or "illegal_argument_exception", "reason": item.reason,
                         "index": item.index}
    return {item.action: body}


def router(ms: Meshscope) -> APIRouter:
    r = APIRouter(tags=["elasticsearch"])
    writes = EsWrites(ms)

    @r.get("/", include_in_schema=False)
    async def root(request: Request) -> Response:
        if "text/html" in request.headers.get("accept", ""):  # a browser: the UI lives at /
            return index_response()
        return es_json(root_info())

    @r.head("/", include_in_schema=False)
    async def root_head() -> Response:
        return Response(headers=PRODUCT_HEADERS)

    @r.get("/_cluster/health", summary="Elasticsearch cluster health (always green)")
    @r.get("/_cluster/health/{index}", summary="Elasticsearch index health (always green)")
    async def health() -> Response:
        return es_json({"cluster_name": "meshscope", "status": "green", "timed_out": False, "number_of_nodes": 1,
                        "number_of_data_nodes": 1, "active_primary_shards": 1, "active_shards": 1,
                        "relocating_shards": 0, "initializing_shards": 0, "unassigned_shards": 0,
                        "delayed_unassigned_shards": 0, "number_of_pending_tasks": 0,
                        "number_of_in_flight_fetch": 0, "task_max_waiting_in_queue_millis": 0,
                        "active_shards_percent_as_number": 100.0})

    @r.get("/_license", summary="Elasticsearch licence (basic, active)")
    async def license_() -> Response:
        return es_json({"license": {"status": "active", "uid": "meshscope", "type": "basic",
                                    "issue_date": "2024-01-01T00:00:00.000Z", "issue_date_in_millis": 1704067200000,
                                    "max_nodes": 1000, "max_resource_units": None, "issued_to": "meshscope",
                                    "issuer": "elasticsearch", "start_date_in_millis": -1}})

    async def bulk(request: Request, index: str = "") -> Response:
        started = time.perf_counter()
        try:
            body = await log_doors.read_body(request, ms)
            items = await run_in_threadpool(decode_bulk, body, index, LogOptions.now(ms.settings))
            await writes.store(items, body)
        except MeshscopeError as exc:
            return log_doors.error_reply(exc)
        took = int((time.perf_counter() - started) * 1000)
        return es_json({"took": took, "errors": any(i.status >= 300 for i in items),
                        "items": [item_json(i) for i in items]})

    for path in ("/_bulk", "/{index}/_bulk"):
        r.add_api_route(path, bulk, methods=["POST", "PUT"], summary="Elasticsearch bulk (index/create actions)")
    r.include_router(es_documents.router(ms, writes))
    return r

