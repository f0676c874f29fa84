"""The Elasticsearch door's id window: repeats within it are 409/updated, failed inserts are forgotten."""

from __future__ import annotations

from meshscope.api.elasticsearch import item_json
from meshscope.api.es_writes import mark_known_ids
from meshscope.decode.es_bulk import BulkItem
from meshscope.ingest.bulk_ids import BulkIds
from meshscope.model.logs import LogRecord


def item(action: str, doc_id: str, explicit: bool = True) -> BulkItem:
    return BulkItem(action, "app", doc_id, record=LogRecord(1, 1, "x"), explicit_id=explicit)


def test_window_forgets_oldest_and_discards() -> None:
    ids = BulkIds(2)
    ids.add([("i", "a"), ("i", "b"), ("i", "c")])
    assert ("i", "a") not in ids and ("i", "c") in ids and len(ids) == 2
    ids.discard([("i", "c")])
    assert ("i", "c") not in ids


def test_repeated_ids_are_conflicts_or_updates() -> None:
    ids = BulkIds(10)
    ids.add([("app", "seen")])
    items = [item("create", "seen"), item("index", "seen"), item("create", "new"), item("create", "new"),
             item("create", "gen", explicit=False)]
    fresh = mark_known_ids(items, ids)
    assert fresh == [("app", "new")]
    assert [(i.status, i.record is not None) for i in items] == [
        (409, False), (200, False), (201, True), (409, False), (201, True)]
    assert item_json(items[0])["create"]["error"]["type"] == "version_conflict_engine_exception"
    assert item_json(items[1])["index"]["result"] == "updated"
    assert item_json(items[2])["create"]["result"] == "created"
