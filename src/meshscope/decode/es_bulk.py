"""Elasticsearch ``_bulk`` NDJSON bodies to one result item per action, in order.

Filebeat, Fluent Bit, Vector and Logstash send ``{"index"|"create": {"_index", "_id"}}`` lines
each followed by a document line. A bad document fails only its own item (status 400, as
Elasticsearch reports a mapping error); an unreadable action line fails its item and skips the
document that belonged to it, so the pairs after it stay aligned.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, replace
from typing import Any

from meshscope.decode.log_fields import LogOptions, record_from_document
from meshscope.errors import BadData
from meshscope.model.logs import LogRecord

WRITE_ACTIONS = ("index", "create")
OTHER_ACTIONS = ("update", "delete")
ID_ATTRIBUTE = "_id"  # a metadata field in Elasticsearch, so no document field has this name


@dataclass
class BulkItem:
    """One action's outcome; ``record`` is set for documents to store."""

    action: str
    index: str
    doc_id: str
    status: int = 201
    error_type: str = ""
    reason: str = ""
    record: LogRecord | None = None
    explicit_id: bool = False


def _json_line(line: bytes) -> Any:
    try:
        return json.loads(line.decode("utf-8", "replace"))
    except ValueError as exc:
        raise BadData(f"line is not valid JSON: {exc}") from None


def _action(line: bytes, default_index: str) -> tuple[str, str, str]:
    """Action name, index and id of an action line (BadData when it is not one)."""
    meta = _json_line(line)
    if not isinstance(meta, dict) or len(meta) != 1:
        raise BadData("an action line must be an object with one key: index, create, update or delete")
    action, params = next(iter(meta.items()))
    if action not in WRITE_ACTIONS + OTHER_ACTIONS or not isinstance(params, dict):
        raise BadData(f"unknown bulk action {str(action)[:50]!r}")
    index = str(params.get("_index") or default_index or "logs")
    doc_id = str(params.get("_id") or "")
    return action, index, doc_id


def _new_id() -> str:
    return uuid.uuid4().hex[:20]


def decode_bulk(body: bytes, default_index: str, opts: LogOptions) -> list[BulkItem]:
    """Every action of the body as an item; documents become log records labelled with their index."""
    lines = [ln for ln in body.split(b"\n") if ln.strip()]
    items: list[BulkItem] = []
    i = 0
    while i < len(lines):
        try:
            action, index, doc_id = _action(lines[i], default_index)
        except BadData as exc:
            items.append(BulkItem("index", default_index or "logs", _new_id(), 400, "x_content_parse_exception",
                                  f"action line {i + 1}: {exc.message}"))
            i += 2
            continue
        if action == "delete":
            items.append(BulkItem(action, index, doc_id, 404, "", "not_found"))
            i += 1
            continue
        items.append(_document(action, index, doc_id, lines[i + 1] if i + 1 < len(lines) else None, opts))
        i += 2
    return items


def decode_document(action: str, index: str, doc_id: str, body: bytes, opts: LogOptions) -> BulkItem:
    """The body of a single-document write (``_doc``, ``_create``) as the item a bulk line would give;
    its id is kept even when generated, since the client was told it and may read the document back."""
    if not body.strip():
        return BulkItem(action, index, doc_id or _new_id(), 400, "parse_exception", "request body is required")
    item = _document(action, index, doc_id, body, opts)
    if item.record is not None and not doc_id:
        item.record = replace(item.record, attributes={**item.record.attributes, ID_ATTRIBUTE: item.doc_id})
    return item


def _document(action: str, index: str, given_id: str, line: bytes | None, opts: LogOptions) -> BulkItem:
    doc_id = given_id or _new_id()
    if action == "update":
        return BulkItem(action, index, doc_id, 400, "illegal_argument_exception",
                        "meshscope stores logs append-only: update is not supported")
    if line is None:
        return BulkItem(action, index, doc_id, 400, "illegal_argument_exception",
                        "the action has no document line after it")
    try:
        doc = _json_line(line)
    except BadData as exc:
        return BulkItem(action, index, doc_id, 400, "document_parsing_exception", exc.message)
    if not isinstance(doc, dict):
        return BulkItem(action, index, doc_id, 400, "document_parsing_exception",
                        "the document must be a JSON object")
    record = record_from_document(doc, opts, "elasticsearch", {"index": index})
    if given_id:  # a document can be read back by its id (``GET /<index>/_doc/<id>``)
        record = replace(record, attributes={**record.attributes, ID_ATTRIBUTE: given_id})
    return BulkItem(action, index, doc_id, record=record, explicit_id=bool(given_id))
