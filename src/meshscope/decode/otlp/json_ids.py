"""OTLP/JSON writes trace and span ids as hex, where protobuf's JSON mapping expects base64."""

from __future__ import annotations

import base64
from typing import Any

from meshscope.errors import BadData

_ID_KEYS = {"traceId": 16, "spanId": 8, "parentSpanId": 8, "trace_id": 16, "span_id": 8, "parent_span_id": 8}


def hex_ids_to_base64(node: Any, path: str = "") -> None:
    """Rewrite every hex id in the document in place; a malformed id is BadData naming its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else key
            if key in _ID_KEYS and isinstance(value, str):
                node[key] = _hex_to_b64(value, here)
            elif isinstance(value, (dict, list)):
                hex_ids_to_base64(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, (dict, list)):
                hex_ids_to_base64(item, f"{path}[{i}]")


def _hex_to_b64(value: str, path: str) -> str:
    if value == "":
        return ""
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise BadData(f"{path}: {value!r} is not a hex id") from None
    return base64.b64encode(raw).decode()
