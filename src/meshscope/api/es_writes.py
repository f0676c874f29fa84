"""What ``_bulk`` and the single-document APIs share: Elasticsearch replies and the durable store.

Both doors decode documents into :class:`BulkItem` values, then :class:`EsWrites` drops the ones
whose ``_id`` was stored already, queues the rest on the ``logs`` write stream and returns once
the insert is done, so a reply never acknowledges what is not stored.
"""

from __future__ import annotations

import itertools
from typing import Any

from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from meshscope.api import log_doors
from meshscope.decode.es_bulk import BulkItem
from meshscope.errors import MeshscopeError
from meshscope.ingest.bulk_ids import BulkIds
from meshscope.model.log_streams import group_records
from meshscope.server import Meshscope

PRODUCT_HEADERS = {"X-Elastic-Product": "Elasticsearch"}
SHARDS = {"total": 1, "successful": 1, "failed": 0}


def es_json(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(content, status, headers={**PRODUCT_HEADERS, **(headers or {})})


def es_error(status: int, error_type: str, reason: str, index: str = "") -> JSONResponse:
    """Elasticsearch's error envelope, which clients turn into their typed exceptions."""
    cause: dict[str, Any] = {"type": error_type, "reason": reason}
    if index:
        cause["index"] = index
    return es_json({"error": {"root_cause": [cause], **cause}, "status": status}, status)


def mark_known_ids(items: list[BulkItem], ids: BulkIds) -> list[tuple[str, str]]:
    """Items whose explicit ``_id`` is stored (or repeated in this request) become 409/updated; return
    the keys to remember once the insert succeeds."""
    fresh: list[tuple[str, str]] = []
    in_request: set[tuple[str, str]] = set()
    for item in items:
        if item.record is None or not item.explicit_id:
            continue
        key = (item.index, item.doc_id)
        if key in ids or key in in_request:
            item.record = None
            item.status, item.error_type = (409, "version_conflict_engine_exception") if item.action == "create" \
                else (200, "")
            item.reason = f"[{item.doc_id}]: version conflict, document already exists (current version [1])"
        else:
            in_request.add(key)
            fresh.append(key)
    return fresh


class EsWrites:
    """The id window and sequence numbers of one server's Elasticsearch doors."""

    def __init__(self, ms: Meshscope) -> None:
        self.ms = ms
        self.ids = BulkIds(ms.settings.logs.es_id_window)
        self._seq = itertools.count()

    def next_seq_no(self) -> int:
        return next(self._seq)

    async def store(self, items: list[BulkItem], identity: bytes) -> None:
        """Store the items' records (raises MeshscopeError: 429/503 when a retry can succeed).

        ``identity`` names the request for the writer's retry dedup: the body for ``_bulk``; index, id
        and body for one document, since two auto-id writes of the same body are two documents."""
        fresh = mark_known_ids(items, self.ids)
        self.ids.add(fresh)  # before the insert: a concurrent resend must see them
        records = [i.record for i in items if i.record is not None]
        if not records:
            return
        try:
            encoded, lines = await run_in_threadpool(lambda: log_doors.encode(group_records(records)))
            await log_doors.store(self.ms, encoded, lines, "elasticsearch", log_doors.request_key("es", identity),
                                  sum(1 for i in items if i.status >= 400 and i.status != 409))
        except MeshscopeError:
            self.ids.discard(fresh)  # the shipper's retry must be stored
            raise
