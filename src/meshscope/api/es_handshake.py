"""The calls Elasticsearch shippers make before they send: answered so they go on to ``_bulk``.

Filebeat and Logstash check ``_license``/``_xpack`` and install index templates, ILM policies and
ingest pipelines; Vector and Logstash read ``_nodes``; several create indices or data streams.
meshscope has one ``logs`` table, so these are acknowledged (``PUT``) or reported as existing
(``GET``/``HEAD``) and change nothing. Searches answer empty, so a probe never fails. Calls that
would write documents any other way than ``_bulk`` are refused with 400 rather than silently
acknowledged, because an acknowledged write that is not stored is lost data.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from meshscope.api.elasticsearch import ES_VERSION, PRODUCT_HEADERS, es_json
from meshscope.server import Meshscope

_ACK = {"acknowledged": True}
_EMPTY_SEARCH = {"took": 0, "timed_out": False, "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
                 "hits": {"total": {"value": 0, "relation": "eq"}, "max_score": None, "hits": []}}
_WRITE_ENDPOINTS = ("_doc", "_create", "_update")


def _named(path: list[str]) -> str:
    return path[1] if len(path) > 1 and path[1] else "meshscope"


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
        "_ingest": {path[-1]: {"description": "accepted by meshscope", "processors": []}},
        "_data_stream": {"data_streams": [{"name": name, "timestamp_field": {"name": "@timestamp"},
                                           "indices": [], "generation": 1, "status": "GREEN", "template": name}]},
        "_security": {"username": "meshscope", "roles": ["superuser"], "enabled": True,
                      "authentication_type": "realm"},
        "_search": _EMPTY_SEARCH, "_count": {"count": 0}, "_cat": [], "_alias": {}, "_aliases": {},
        "_mapping": {}, "_settings": {},
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
        if path[0] in _WRITE_ENDPOINTS and request.method in ("PUT", "POST"):
            return es_json({"error": {"type": "illegal_argument_exception",
                                      "reason": f"meshscope stores documents through _bulk only, not {path[0]}"},
                            "status": 400}, 400)
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
    if request.method == "GET" or path[0] in ("_search", "_count", "_msearch"):
        return es_json(_get(path, request))
    return es_json(_ACK)
