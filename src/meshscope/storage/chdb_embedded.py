"""Embedded ClickHouse (chDB): the default, no server to run.

One process owns the data directory; every other command goes through that process's HTTP
API. chDB answers one statement at a time per session, so a lock keeps callers orderly.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pyarrow as pa

from meshscope.errors import StorageError
from meshscope.storage.error_codes import translate_error
from meshscope.storage.executor import Settings, decode_json_rows, settings_clause
from meshscope.storage.sql import quote


class ChdbExecutor:
    """chDB session over a data directory."""

    def __init__(self, path: Path, database: str) -> None:
        from chdb import session

        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.database = database
        self.cluster = ""
        self._lock = threading.Lock()
        try:
            self._session = session.Session(str(path))
        except Exception as exc:  # noqa: BLE001 - chDB raises plain exceptions
            raise StorageError(f"cannot open chDB data directory {path}: {exc}") from None

    def _run(self, sql: str, fmt: str = "CSV") -> Any:
        with self._lock:
            try:
                return self._session.query(sql, fmt)
            except Exception as exc:  # noqa: BLE001
                raise translate_error(exc) from None

    def command(self, sql: str, settings: Settings | None = None) -> None:
        self._run(sql + settings_clause(settings))

    def rows(self, sql: str, settings: Settings | None = None) -> list[dict[str, Any]]:
        merged = {"output_format_json_quote_64bit_integers": 0, **(settings or {})}
        result = self._run(sql + settings_clause(merged), "JSONEachRow")
        return decode_json_rows(result.bytes())

    def arrow(self, sql: str, settings: Settings | None = None) -> pa.Table:
        result = self._run(sql + settings_clause(settings), "ArrowStream")
        payload = result.bytes()
        if not payload:
            return pa.table({})
        return pa.ipc.open_stream(payload).read_all()

    def insert_from_file(self, sql: str, path: Path, fmt: str, structure: str,
                         settings: Settings | None = None) -> int:
        source = f"file({quote(str(path.resolve()))}, {quote(fmt)}, {quote(structure)})"
        result = self._run(sql.replace("{source}", source) + settings_clause(settings))
        return int(result.rows_written())

    def close(self) -> None:
        with self._lock:
            try:
                self._session.close()
            except Exception:  # noqa: BLE001 - closing twice is harmless
                pass
