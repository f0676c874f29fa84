"""Label matchers as ClickHouse predicates over ``metric_series`` (or any table with the same columns).

``__name__`` is the ``metric_name`` column, other labels are ``labels['name']`` (an absent key
reads as '', which is exactly Prometheus' "absent label matches the empty string"). Regexes go
to ClickHouse unchanged: it uses RE2 as Prometheus does; ``(?-s)`` keeps ``.`` from matching a
newline, as in Go, and the pattern is anchored like Prometheus anchors it.
"""

from __future__ import annotations

from collections.abc import Sequence

from meshscope.promql.matchers import LabelMatcher
from meshscope.storage.sql import quote


def column(name: str) -> str:
    return "metric_name" if name == "__name__" else f"labels[{quote(name)}]"


def predicate(m: LabelMatcher) -> str:
    col = column(m.name)
    if m.op == "=":
        return f"{col} = {quote(m.value)}"
    if m.op == "!=":
        return f"{col} != {quote(m.value)}"
    regex = f"match({col}, {quote('^(?-s:' + m.value + ')$')})"
    return regex if m.op == "=~" else f"NOT {regex}"


def where(matchers: Sequence[LabelMatcher]) -> str:
    return " AND ".join(predicate(m) for m in matchers) or "1"


def metric_names(matchers: Sequence[LabelMatcher]) -> list[str] | None:
    """The metric names an equality matcher pins (for the primary key), or None."""
    for m in matchers:
        if m.name == "__name__" and m.op == "=":
            return [m.value]
    return None
