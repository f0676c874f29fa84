"""Elasticsearch single-document APIs: ``_doc`` and ``_create`` writes, ``_doc``/``_source`` reads.

Application loggers and scripts (elasticsearch-py ``index``/``create``, Serilog, log4j appenders)
write one document per request. Each goes through the same mapping and the same durable store as
``_bulk`` and is answered as Elasticsearch 8 answers it: 201 ``created``; a repeated ``_id`` is 409
for ``create`` and 200 ``updated`` (nothing stored again) for ``index``. Unlike ``_bulk``, an id not
in the recent-id window is also looked up in storage: one request is one indexed query, and so the
answer stays right after a restart. ``refresh`` needs no work,
because the reply already waits for the insert; ``pipeline`` is accepted and not run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote as url_quote

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from meshscope.api import log_doors
from meshscope.api.es_writes import PRODUCT_HEADERS, SHARDS, EsWrites, es_error, es_json
from meshscope.decode.es_bulk import ID_ATTRIBUTE, BulkItem, decode_document
from meshscope.decode.log_fields import LogOptions
from meshscope.errors import MeshscopeError
from meshscope.server import Meshscope
from meshscope.storage.sql import quote

OP_TYPES = ("index", "create")


def write_reply(item: BulkItem, seq_no: int) -> Response:
    """Elasticsearch's index API answer for one decoded (and stored or refused) document."""
    if item.status >= 400:
        return es_error(item.status, item.error_type or "illegal_argument_exception", item.reason, item.index)
    created = item.status == 201
    headers = {"Location": f"/{url_quote(item.index)}/_doc/{url_quote(item.doc_id)}"} if created else {}
    return es_json({"_index": item.index, "_id": item.doc_id, "_version": 1,
                    "result": "created" if created else "updated", "_shards": SHARDS, "_seq_no": seq_no,
                    "_primary_term": 1}, item.status, headers)


def lookup_sql(database: str, index: str, doc_id: str) -> str:
    """The stored document with this id; the condition is the one the attribute bloom index answers."""
    item = quote(f"{ID_ATTRIBUTE}={doc_id}")
    return (f"SELECT toUnixTimestamp64Nano(timestamp) AS ts, body, attributes FROM {database}.logs "
            f"WHERE labels['index'] = {quote(index)} AND has(arrayMap((k, v) -> concat(k, '=', v), "
            f"mapKeys(attributes), mapValues(attributes)), {item}) ORDER BY observed_timestamp LIMIT 1")


def source_of(row: dict[str, Any]) -> dict[str, Any]:
    """The stored line as a ``_source``: time, message and the flattened fields (as strings)."""
    ns = int(row["ts"])
    seconds, rest = divmod(ns, 10**9)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{rest // 10**6:03d}Z"
    fields = {k: v for k, v in row["attributes"].items() if k != ID_ATTRIBUTE}
    return {"@timestamp": stamp, "message": row["body"], **fields}


def router(ms: Meshscope, writes: EsWrites) -> APIRouter:
    r = APIRouter(tags=["elasticsearch"])

    async def find(index: str, doc_id: str) -> dict[str, Any] | None:
        assert ms.executor is not None, "server not started"
        rows = await run_in_threadpool(ms.executor.rows, lookup_sql(ms.executor.database, index, doc_id))
        return rows[0] if rows else None

    async def write(request: Request, index: str, doc_id: str, op_type: str) -> Response:
        if op_type not in OP_TYPES:
            return es_error(400, "illegal_argument_exception",
                            f"op_type must be one of {', '.join(OP_TYPES)}, not [{op_type[:50]}]", index)
        try:
            body = await log_doors.read_body(request, ms)
            item = await run_in_threadpool(decode_document, op_type, index, doc_id, body,
                                           LogOptions.now(ms.settings))
            if doc_id and item.record is not None and (index, doc_id) not in writes.ids \
                    and await find(index, doc_id) is not None:  # stored before a restart or the window
                writes.ids.add([(index, doc_id)])
            await writes.store([item], "\n".join((index, doc_id or item.doc_id)).encode() + b"\n" + body)
        except MeshscopeError as exc:
            return log_doors.error_reply(exc)
        return write_reply(item, writes.next_seq_no())

    @r.post("/{index}/_doc", summary="Elasticsearch index API: store one document under a new id")
    async def doc_auto_id(index: str, request: Request, op_type: str = "create") -> Response:
        return await write(request, index, "", op_type)

    async def doc_with_id(index: str, doc_id: str, request: Request, op_type: str = "index") -> Response:
        return await write(request, index, doc_id, op_type)

    async def create(index: str, doc_id: str, request: Request) -> Response:
        return await write(request, index, doc_id, "create")

    r.add_api_route("/{index}/_doc/{doc_id}", doc_with_id, methods=["PUT", "POST"],
                    summary="Elasticsearch index API: store one document with its id (op_type=create: 409 if known)")
    r.add_api_route("/{index}/_create/{doc_id}", create, methods=["PUT", "POST"],
                    summary="Elasticsearch create API: store one document, 409 when its id is known")

    async def get_doc(index: str, doc_id: str, request: Request) -> Response:
        try:
            row = await find(index, doc_id)
        except MeshscopeError as exc:
            return log_doors.error_reply(exc)
        if request.method == "HEAD":
            return Response(status_code=200 if row else 404, headers=PRODUCT_HEADERS)
        if row is None:
            return es_json({"_index": index, "_id": doc_id, "found": False}, 404)
        return es_json({"_index": index, "_id": doc_id, "_version": 1, "_seq_no": 0, "_primary_term": 1,
                        "found": True, "_source": source_of(row)})

    async def get_source(index: str, doc_id: str, request: Request) -> Response:
        try:
            row = await find(index, doc_id)
        except MeshscopeError as exc:
            return log_doors.error_reply(exc)
        if row is None:
            return es_error(404, "resource_not_found_exception", f"Document not found [{index}]/[{doc_id}]", index)
        return es_json(source_of(row)) if request.method == "GET" else Response(headers=PRODUCT_HEADERS)

    r.add_api_route("/{index}/_doc/{doc_id}", get_doc, methods=["GET", "HEAD"],
                    summary="Elasticsearch get API: a document stored with its id")
    r.add_api_route("/{index}/_source/{doc_id}", get_source, methods=["GET", "HEAD"],
                    summary="Elasticsearch get source API")
    return r
