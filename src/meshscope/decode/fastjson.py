"""JSON through orjson (about 2x faster to read, 5x to write than the standard library), falling
back to :mod:`json` for what orjson refuses: lone surrogates, which JSON escapes allow
(``"\\ud800"``) and shippers do send.

Log doors spend most of their Python time here, so this is what bounds lines per CPU-second.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(text: str | bytes) -> Any:
    """Parse JSON text; ``ValueError`` (as :func:`json.loads`) when it is not JSON."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)  # raises ValueError for real syntax errors


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON; strings with lone surrogates are written as escapes."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":")).encode()
