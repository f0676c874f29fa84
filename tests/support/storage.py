"""An embedded chDB executor with the whole schema applied, for tests that drive storage directly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from meshscope.config import RetentionSettings
from meshscope.storage import migrate
from meshscope.storage.executor import Executor, open_executor


@contextmanager
def migrated_chdb(path: Path) -> Iterator[Executor]:
    """chDB in ``path/chdb`` at the current schema; closed afterwards (one data path per process)."""
    ex = open_executor("", path / "chdb", "meshscope")
    try:
        migrate.apply(ex, RetentionSettings())
        yield ex
    finally:
        ex.close()
