"""Label sets as sorted tuples of ``(name, value)`` pairs.

A plain tuple is hashable, compares in Prometheus' order (name, then value, pair by pair) and costs
nothing to build, which matters when a query touches tens of thousands of series. An empty value
means "label absent", as in Prometheus, so setters delete instead of storing ``""``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from itertools import chain

Labels = tuple[tuple[str, str], ...]

METRIC_NAME = "__name__"
EMPTY: Labels = ()
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def from_mapping(pairs: Mapping[str, str] | Iterable[tuple[str, str]]) -> Labels:
    """Sorted labels from a mapping or pairs, dropping empty values."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return tuple(sorted((k, v) for k, v in items if v != ""))


def sort_key(labels: Labels) -> str | None:
    """A string that sorts like ``labels`` among other label sets, or None for a set holding a NUL.

    Comparing label tuples pair by pair costs a Python call per pair; the strings joined by NUL
    compare the same way (a shorter string sorts first either way) at C speed.
    """
    key = "\x00".join(chain.from_iterable(labels))
    return key if key.count("\x00") == max(2 * len(labels) - 1, 0) else None


def get(labels: Labels, name: str) -> str:
    for k, v in labels:
        if k == name:
            return v
    return ""


def drop_name(labels: Labels) -> Labels:
    if labels and labels[0][0] == METRIC_NAME:  # "__name__" sorts before any valid name but "_"
        return labels[1:]
    return tuple(p for p in labels if p[0] != METRIC_NAME)


def drop_names(labels: list[Labels]) -> tuple[list[Labels], bool]:
    """Every label set without its name, and whether the results are certainly distinct (the sets
    were distinct and all had one and the same name), which spares a uniqueness check."""
    out = [drop_name(lb) for lb in labels]
    first = labels[0][0] if labels and labels[0] else None
    same = first is not None and first[0] == METRIC_NAME and all(lb and lb[0] == first for lb in labels)
    return out, same


def keep(labels: Labels, names: frozenset[str]) -> Labels:
    return tuple([p for p in labels if p[0] in names])  # a list first: faster than a generator


def drop(labels: Labels, names: frozenset[str]) -> Labels:
    return tuple([p for p in labels if p[0] not in names])


def with_label(labels: Labels, name: str, value: str) -> Labels:
    """``labels`` with ``name`` set to ``value`` (removed when ``value`` is empty)."""
    rest = [p for p in labels if p[0] != name]
    if value != "":
        rest.append((name, value))
        rest.sort()
    return tuple(rest)


def is_valid_name(name: str) -> bool:
    return bool(_LABEL_NAME.match(name))


def format_labels(labels: Labels) -> str:
    """Prometheus' text form: ``{a="1", b="2"}``."""
    return "{" + ", ".join(f"{k}={quote(v)}" for k, v in labels) + "}"


def quote(value: str) -> str:
    """A double-quoted string with Go-style escapes (what ``strconv.Quote`` prints for ASCII)."""
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{out}"'
