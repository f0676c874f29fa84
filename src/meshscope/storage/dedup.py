"""Which request bodies are already stored, so a client's retry is acknowledged, not stored twice.

A digest enters the log only after the insert holding its rows returned, and the log is an
append-only file, so the set survives restarts. The window is bounded: a retry arrives within
seconds or minutes, not after a hundred thousand other requests.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path


class DedupLog:
    """Bounded, persistent set of request digests (hex strings)."""

    def __init__(self, path: Path, window: int) -> None:
        self.path = path
        self.window = window
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._lines_written = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            for line in path.read_text().split():
                self._remember(line)
            self._compact()
        self._file = open(path, "a", encoding="ascii")  # noqa: SIM115 - lives as long as the writer

    def __contains__(self, digest: str) -> bool:
        with self._lock:
            return digest in self._seen

    def add(self, digests: list[str]) -> None:
        if not digests or self.window == 0:
            return
        with self._lock:
            for d in digests:
                self._remember(d)
            self._file.write("\n".join(digests) + "\n")
            self._file.flush()  # to the OS, not fsynced: as durable as the insert it records
            self._lines_written += len(digests)
            if self._lines_written > 2 * self.window:
                self._file.close()
                self._compact()
                self._file = open(self.path, "a", encoding="ascii")  # noqa: SIM115
                self._lines_written = 0

    def _remember(self, digest: str) -> None:
        self._seen[digest] = None
        self._seen.move_to_end(digest)
        while len(self._seen) > self.window:
            self._seen.popitem(last=False)

    def _compact(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(d + "\n" for d in self._seen))
        os.replace(tmp, self.path)

    def close(self) -> None:
        with self._lock:
            self._file.close()
