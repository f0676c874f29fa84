"""Whole tokens a line filter implies, for the body's token bloom filter (``hasToken``).

A line containing the literal ``"user=bob "`` has ``bob`` as a whole token: it is bounded by
separators inside the literal. Such tokens go in front of the exact test, which keeps Loki's
meaning; the filter then skips the granules that cannot hold them. Tokens split as ``tokenbf_v1``
splits: runs of ASCII letters and digits, a byte past ASCII belonging to the token.

A regex implies the tokens of the literal runs every match contains (runs in its top-level
sequence and in groups repeated at least once), read from Python's parse of it: RE2 and ``re``
agree on literals. A case-insensitive regex implies none, since ``hasToken`` is case-sensitive.
"""

from __future__ import annotations

import re
import re._parser as sre
import warnings
from collections.abc import Iterator
from typing import Any

from meshscope.logql.cursor import go_regex
from meshscope.storage.sql import quote

_TOKEN = re.compile(r"[a-zA-Z0-9]+")


def _separator(ch: str) -> bool:
    return ch.isascii() and not ch.isalnum()


def whole_tokens(literal: str) -> list[str]:
    """Tokens of ``literal`` that every line containing it has as whole tokens."""
    out = []
    for m in _TOKEN.finditer(literal):
        s, e = m.start(), m.end()
        if s > 0 and e < len(literal) and _separator(literal[s - 1]) and _separator(literal[e]):
            out.append(m.group())
    return list(dict.fromkeys(out))


def _flat(items: Any) -> Iterator[tuple[Any, Any]]:
    """The sequence with plain groups ``(ab)`` opened in place (their text is contiguous)."""
    for op, arg in items:
        if str(op) == "SUBPATTERN" and not arg[1] and not arg[2]:
            yield from _flat(arg[3])
        else:
            yield op, arg


def _runs(items: Any) -> Iterator[str]:
    """Literal runs every match of the parsed sequence ``items`` contains."""
    run: list[str] = []
    for op, arg in _flat(items):
        name = str(op)
        if name == "LITERAL":
            run.append(chr(arg))
            continue
        yield "".join(run)
        run = []
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] >= 1:
            yield from _runs(arg[2])
    yield "".join(run)


def regex_tokens(pattern: str) -> list[str]:
    """Whole tokens every line matching ``pattern`` contains (none when unsure)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "possible nested set": Python reads it unlike RE2
            parsed = sre.parse(go_regex(pattern))
    except (re.error, Warning, OverflowError, RecursionError):
        return []
    if parsed.state.flags & re.IGNORECASE:
        return []
    return list(dict.fromkeys(t for run in _runs(parsed.data) for t in whole_tokens(run)))


def has_tokens(tokens: list[str]) -> str:
    """``hasToken(body, 't') AND `` for each token (empty without tokens), to go before an exact test."""
    return "".join(f"hasToken(body, {quote(t)}) AND " for t in tokens)
