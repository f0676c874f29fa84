"""A ClickHouse server or cluster over HTTP (clickhouse-connect), for when one machine is not enough.

Runs the same SQL as the embedded executor. Spooled request bodies are sent as the data of
``INSERT ... SELECT ... FROM input(structure) FORMAT fmt``, so the server decodes them natively.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pyarrow as pa

from meshscope.errors import StorageError, Unavailable
from meshscope.storage.error_codes import translate_error
from meshscope.storage.executor import Settings
from meshscope.storage.sql import quote


class ClickHouseServerExecutor:
    """clickhouse-connect client bound to one database."""

    def __init__(self, url: str, database: str, cluster: str = "", username: str = "default",
                 password: str = "") -> None:
        import clickhouse_connect

        parsed = urlparse(url)
        self.database = database
        self.cluster = cluster
        try:
            self._client = clickhouse_connect.get_client(
                host=parsed.hostname or "localhost", port=parsed.port or 8123,
                username=parsed.username or username, password=parsed.password or password,
                secure=parsed.scheme == "https", database="default",
                settings={"allow_experimental_ts_to_grid_aggregate_function": 1},
            )
        except Exception as exc:  # noqa: BLE001 - driver raises its own tree
            raise Unavailable(f"cannot reach ClickHouse at {url}: {exc}", retry_after_s=5.0) from None

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (StorageError, Unavailable):
            raise
        except Exception as exc:  # noqa: BLE001
            raise translate_error(exc) from None

    def command(self, sql: str, settings: Settings | None = None) -> None:
        self._call(self._client.command, sql, settings=dict(settings or {}))

    def rows(self, sql: str, settings: Settings | None = None) -> list[dict[str, Any]]:
        result = self._call(self._client.query, sql, settings=dict(settings or {}))
        return list(result.named_results())

    def arrow(self, sql: str, settings: Settings | None = None) -> pa.Table:
        table: pa.Table = self._call(self._client.query_arrow, sql, settings=dict(settings or {}))
        return table

    def insert_from_file(self, sql: str, path: Path, fmt: str, structure: str,
                         settings: Settings | None = None) -> int:
        statement = sql.replace("{source}", f"input({quote(structure)})") + f" FORMAT {fmt}"
        data = b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name)))
        summary = self._call(self._client.command, statement, data=data,
                             settings=dict(settings or {}))
        written = getattr(summary, "written_rows", 0)
        return int(written or 0)

    def close(self) -> None:
        self._client.close()
