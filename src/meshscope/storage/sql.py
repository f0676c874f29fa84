"""Literal quoting for the SQL we build: values never reach ClickHouse unescaped."""

from __future__ import annotations

from collections.abc import Iterable

_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


def quote(value: str) -> str:
    """A ClickHouse string literal for ``value``."""
    return "'" + "".join(_ESCAPES.get(c, c) for c in value) + "'"


def quote_list(values: Iterable[str]) -> str:
    """A parenthesised list of string literals, for ``IN`` clauses."""
    items = [quote(v) for v in values]
    return "(" + (", ".join(items) if items else "''") + ")"


def ident(name: str) -> str:
    """A back-quoted identifier."""
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"
