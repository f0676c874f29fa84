"""Words a line must contain for a line filter to match, so the text index can skip lines first.

The ``body`` text index (``splitByNonAlpha`` over ``lower(body)``) answers ``body ILIKE '%word%'``
by scanning its token dictionary instead of every line. A substring filter ``|= "timeout"`` or a
regex whose every match contains ``timeout`` implies ``body ILIKE '%timeout%'``, so that hint goes
in front of the exact test: the result is the same, and ClickHouse reads only the lines the index
names. ClickHouse needs at least 4 letters or digits; we ask for 5: when the word is in most lines
the hint only adds work (``|~ "user_id=4[0-9]{3}"`` hinted with ``user``: +35% CPU on
bench/logql_scans.py), and short words (``user``, ``info``, ``path``) are the common ones.

Required literals of a regex come from Python's parse of it (RE2 and ``re`` agree on literals):
runs of literal characters in the top-level sequence, and in groups repeated at least once.
"""

from __future__ import annotations

import re
import re._parser as sre
import warnings
from collections.abc import Iterator
from typing import Any

from meshscope.logql.cursor import go_regex

_WORD = re.compile(r"[A-Za-z0-9]{5,}")
# Case-insensitive RE2 also matches U+017F for "s" and U+212A for "k" (as Go does); ILIKE does not, so
# a case-insensitive word with either letter is not implied by the match.
_FOLDS_OUTSIDE_ASCII = re.compile(r"[ksKS]")


def substring_word(needle: str) -> str | None:
    """The longest index word every line containing ``needle`` (case-sensitive) contains."""
    words = _WORD.findall(needle)
    return max(words, key=len) if words else None


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


def regex_word(pattern: str) -> str | None:
    """The longest index word every line matching ``pattern`` contains, if there is one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "possible nested set": Python reads it unlike RE2
            parsed = sre.parse(go_regex(pattern))
    except (re.error, Warning, OverflowError, RecursionError):
        return None
    ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    words = [w for run in _runs(parsed.data) for w in _WORD.findall(run)
             if not (ignore_case and _FOLDS_OUTSIDE_ASCII.search(w))]
    return max(words, key=len) if words else None


def ilike_hint(word: str | None) -> str:
    """``body ILIKE '%word%' AND `` (empty without a word; letters and digits need no LIKE escaping)."""
    return f"body ILIKE '%{word}%' AND " if word else ""
