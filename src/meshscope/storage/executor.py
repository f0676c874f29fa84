"""The one seam to ClickHouse: :class:`Executor`, implemented by embedded chDB and by a server.

Both run the same SQL. Inserts of request bodies go through :meth:`Executor.insert_from_file`:
the SQL names its source as ``{source}``; chDB reads the spooled file with ``file()``, a server
receives the file's bytes as the data of ``input()``. Foreign errors become ours here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from meshscope.storage.sql import quote

Settings = Mapping[str, str | int | float]


class Executor(Protocol):
    """Runs SQL against one ClickHouse (embedded or remote)."""

    database: str
    cluster: str

    def command(self, sql: str, settings: Settings | None = None) -> None:
        """Run a statement that returns nothing (DDL, INSERT ... SELECT)."""

    def rows(self, sql: str, settings: Settings | None = None) -> list[dict[str, Any]]:
        """Run a query and return its rows as dicts (small results: JSON decoding)."""

    def arrow(self, sql: str, settings: Settings | None = None) -> pa.Table:
        """Run a query and return an Arrow table (large results)."""

    def insert_from_file(self, sql: str, path: Path, fmt: str, structure: str,
                         settings: Settings | None = None) -> int:
        """Run ``sql`` with ``{source}`` reading ``path`` (may be a glob) in ``fmt``; return rows written."""

    def close(self) -> None: ...


def settings_clause(settings: Settings | None) -> str:
    if not settings:
        return ""
    parts = []
    for key, value in settings.items():
        if isinstance(value, str):
            parts.append(f"{key} = {quote(value)}")
        else:
            parts.append(f"{key} = {value}")
    return " SETTINGS " + ", ".join(parts)


def decode_json_rows(payload: bytes) -> list[dict[str, Any]]:
    """Rows of a ``JSONEachRow`` answer."""
    return [json.loads(line) for line in payload.splitlines() if line]


def open_executor(url: str, data_path: Path, database: str, cluster: str = "",
                  username: str = "default", password: str = "", uncompressed_cache_mb: int = 0) -> Executor:
    """The executor the settings ask for: a server when ``url`` is set, else chDB in ``data_path``
    (``uncompressed_cache_mb``: its cache of decompressed blocks; a server has its own config)."""
    if url:
        from meshscope.storage.clickhouse_server import ClickHouseServerExecutor

        return ClickHouseServerExecutor(url, database, cluster, username, password)
    from meshscope.storage.chdb_embedded import ChdbExecutor

    return ChdbExecutor(data_path, database, uncompressed_cache_bytes=uncompressed_cache_mb << 20)
