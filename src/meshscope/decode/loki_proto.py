"""Loki's ``logproto.PushRequest`` as protobuf classes built at import (no generated code, no protoc).

Wire-compatible with Loki's ``push.proto`` by field numbers. ``labels`` and ``line`` are declared
``bytes``: Go senders do not validate UTF-8, and one bad line must not fail the request.
"""

from __future__ import annotations

from typing import Any

from meshscope.decode.proto_classes import TYPES, message_classes

_CLASSES = message_classes("meshscope.logproto", {
    "Timestamp": [("seconds", 1, TYPES.TYPE_INT64, ""), ("nanos", 2, TYPES.TYPE_INT32, "")],
    "LabelPairAdapter": [("name", 1, TYPES.TYPE_BYTES, ""), ("value", 2, TYPES.TYPE_BYTES, "")],
    "EntryAdapter": [("timestamp", 1, TYPES.TYPE_MESSAGE, "Timestamp"), ("line", 2, TYPES.TYPE_BYTES, ""),
                     ("structuredMetadata", 3, TYPES.TYPE_MESSAGE, "LabelPairAdapter")],
    "StreamAdapter": [("labels", 1, TYPES.TYPE_BYTES, ""), ("entries", 2, TYPES.TYPE_MESSAGE, "EntryAdapter"),
                      ("hash", 3, TYPES.TYPE_UINT64, "")],
    "PushRequest": [("streams", 1, TYPES.TYPE_MESSAGE, "StreamAdapter")],
}, repeated=frozenset({"EntryAdapter.timestamp!"}))
PushRequest: Any = _CLASSES["PushRequest"]
