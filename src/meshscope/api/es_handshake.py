"""The calls Elasticsearch shippers make before they send: answered so they go on to ``_bulk``.

Filebeat and Logstash check ``_license``/``_xpack`` and install index templates, ILM policies and
ingest pipelines; Vector and Logstash read ``_nodes``; several create indices or data streams.
meshscope has one ``logs`` table, so these are acknowledged (``PUT``) or reported as existing
(``GET``/``HEAD``) and change nothing. Searches answer empty, so a probe never fails. Documents are
written through ``_bulk`` and ``_doc``/``_create`` (:mod:`meshscope.api.es_documents`); updates and
deletes of documents are refused with 400 rather than silently acknowledged, because logs are
append-only and an acknowledgement of a change not made is a lie a client acts on.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from meshscope.api.elasticsearch import ES_VERSION
from meshscope.api.es_writes import PRODUCT_HEADERS, SHARDS, es_error, es_json
from meshscope.server import Meshscope

_ACK = {"acknowledged": True}
_EMPTY_SEARCH = {"took": 0, "timed_out": False, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
                 "hits": {"total": {"value": 0, "relation": "eq"}, "max_score": None, "hits": []}}
_CHANGES = ("_update", "_update_by_query", "_delete_by_query")  # refused whatever the method
_PER_INDEX = {"_mapping": {"mappings": {}}, "_settings": {"settings": {"index": {
    "number_of_shards": "1", "number_of_replicas": "0"}}}, "_alias": {"aliases": {}}}


def _named(path: list[str]) -> str:
    """The object a call names: ``/_index_template/<name>``, ``/_ilm/policy/<name>``…"""
    at = 2 if path[0] in ("_ilm", "_ingest") else 1
    return path[at] if len(path) > at and path[at] else "meshscope"


def _xpack() -> dict[str, Any]:
    off = {"available": False, "enabled": False}
    return {"build": {"hash": "meshscope", "date": "2024-12-11T12:08:05.663969764Z"},
            "license": {"uid": "meshscope", "type": "basic", "mode": "basic", "status": "active"},
            "features": {"ilm": {"available": True, "enabled": True}, "security": off, "ml": off,
                         "monitoring": off, "watcher": off}}


def _nodes(request: Request) -> dict[str, Any]:
    address = f"{request.url.hostname}:{request.url.port or 80}"
    node = {"name": "meshscope", "transport_address": address, "host": request.url.hostname, "ip": "127.0.0.1",
            "version": ES_VERSION, "roles": ["data", "ingest", "master"], "http": {"publish_address": address}}
    return {"_nodes": {"total": 1, "successful": 1, "failed": 0}, "cluster_name": "meshscope",
            "nodes": {"bWVzaHNjb3BlLW5vZGU": node}}


def _get(path: list[str], request: Request) -> Any:
    """A harmless answer for GET ``/_<path>``: the asked-for object exists and is empty."""
    head, name = path[0], _named(path)
    answers: dict[str, Any] = {
        "_xpack": _xpack(), "_nodes": _nodes(request),
        "_ilm": {name: {"version": 1, "modified_date": "2024-01-01T00:00:00.000Z", "policy": {"phases": {}}}},
        "_index_template": {"index_templates": [{"name": name, "index_template": {
            "index_patterns": [f"{name}*"], "template": {}, "composed_of": [], "data_stream": {}}}]},
        "_component_template": {"component_templates": [{"name": name, "component_template": {"template": {}}}]},
        "_template": {name: {"order": 0, "index_patterns": [f"{name}*"], "settings": {}, "mappings": {},
                             "aliases": {}}},
        "_ingest": {name: {"description": "accepted by meshscope", "processors": []}},
        "_data_stream": {"data_streams": [{"name": name, "timestamp_field": {"name": "@timestamp"},
                                           "indices": [], "generation": 1, "status": "GREEN", "template": name}]},
        "_security": {"username": "meshscope", "roles": ["superuser"], "enabled": True,
                      "authentication_type": "realm"},
        "_search": _EMPTY_SEARCH, "_count": {"count": 0}, "_cat": [], "_alias": {}, "_aliases": {},
        "_mapping": {}, "_settings": {}, "_refresh": {"_shards": SHARDS}, "_flush": {"_shards": SHARDS},
    }
    return answers.get(head, {})


def router(ms: Meshscope) -> APIRouter:
    r = APIRouter(include_in_schema=False)

    @r.api_route("/_{rest:path}", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
    async def cluster_call(rest: str, request: Request) -> Response:
        return _answer(["_" + rest.split("/")[0]] + rest.split("/")[1:], request)

    @r.api_route("/{index}/_{rest:path}", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
    async def index_call(index: str, rest: str, request: Request) -> Response:
        path = ["_" + rest.split("/")[0]] + rest.split("/")[1:]
        if path[0] in _CHANGES or (path[0] == "_doc" and request.method == "DELETE"):
            return es_error(400, "illegal_argument_exception",
                            f"meshscope stores logs append-only: {request.method} {path[0]} is not supported", index)
        if path[0] in ("_doc", "_create", "_source"):  # the methods and shapes es_documents does not take
            return es_json({"error": f"Incorrect HTTP method for uri [{request.url.path}] and method "
                                     f"[{request.method}]", "status": 405}, 405)
        if request.method == "GET" and path[0] in _PER_INDEX:  # keyed by index, as clients read it
            return es_json({index: _PER_INDEX[path[0]]})
        return _answer(path, request)

    @r.api_route("/{index}", methods=["HEAD", "PUT", "DELETE"])
    async def index_itself(index: str, request: Request) -> Response:
        if request.method == "HEAD":
            return Response(headers=PRODUCT_HEADERS)
        return es_json({**_ACK, "shards_acknowledged": True, "index": index})

    return r


def _answer(path: list[str], request: Request) -> Response:
    if request.method == "HEAD":
        return Response(headers=PRODUCT_HEADERS)
    if path[0] == "_cat" and request.query_params.get("format") != "json":
        return Response("", media_type="text/plain", headers=PRODUCT_HEADERS)  # _cat speaks text by default
    if request.method == "GET" or path[0] in ("_search", "_count", "_msearch", "_refresh", "_flush"):
        return es_json(_get(path, request))
    return es_json(_ACK)
