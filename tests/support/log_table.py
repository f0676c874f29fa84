"""A LogQL engine over a few hand-written log rows in real chDB, one second apart from ``base``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from meshscope.config import RetentionSettings
from meshscope.logql.engine import LogQLEngine, RangeQuery
from meshscope.storage import migrate
from meshscope.storage.executor import open_executor
from meshscope.storage.sql import quote

S = 10**9


class Row(NamedTuple):
    labels: dict[str, str]
    body: str
    attributes: dict[str, str] = {}


def recent_base() -> int:
    """An hour ago on a whole second: inside the logs TTL."""
    return (time.time_ns() // S - 3600) * S


def _map(values: dict[str, str]) -> str:
    return "map(" + ", ".join(f"{quote(k)}, {quote(v)}" for k, v in values.items()) + ")"


@contextmanager
def engine_over(path: Path, rows: list[Row], base: int) -> Iterator[LogQLEngine]:
    ex = open_executor("", path / "chdb", "meshscope")
    try:
        migrate.apply(ex, RetentionSettings())
        values = ", ".join(f"(fromUnixTimestamp64Nano(toInt64({base + i * S})), {quote(r.labels['service_name'])}, "
                           f"{_map(r.labels)}, {quote(r.body)}, {_map(r.attributes)})" for i, r in enumerate(rows))
        ex.command(f"INSERT INTO {ex.database}.logs (timestamp, service_name, labels, body, attributes) "
                   f"VALUES {values}")
        yield LogQLEngine(ex)
    finally:
        ex.close()


def lines_found(engine: LogQLEngine, query: str, base: int) -> list[str]:
    """Every line the log query returns in the minute from ``base``, sorted."""
    data = engine.query_range(RangeQuery(query, base, base + 60 * S, S, 1000, False))
    return sorted(line for s in data["result"] for _, line in s["values"])
