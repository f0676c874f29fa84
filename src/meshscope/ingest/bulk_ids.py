"""Document ids already stored through the Elasticsearch door, so a resent ``_id`` is a 409.

Shippers set ``_id`` to make retries idempotent (Filebeat, Logstash with a fingerprint filter,
Fluent Bit ``Generate_ID``) and treat 409 as "already there". Elasticsearch remembers ids
forever; a bounded window covers retries, which come within minutes, at a fixed memory cost.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable


class BulkIds:
    """The last ``window`` (index, id) pairs stored, oldest forgotten first."""

    def __init__(self, window: int) -> None:
        self.window = window
        self._ids: OrderedDict[tuple[str, str], None] = OrderedDict()

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, keys: Iterable[tuple[str, str]]) -> None:
        for key in keys:
            self._ids[key] = None
            self._ids.move_to_end(key)
        while len(self._ids) > self.window:
            self._ids.popitem(last=False)

    def discard(self, keys: Iterable[tuple[str, str]]) -> None:
        """Forget ids whose insert failed: the shipper's retry must be stored."""
        for key in keys:
            self._ids.pop(key, None)
