"""Where each file was read to, kept on disk across restarts.

Per file identity two offsets: ``spooled`` (everything before it is in a durable batch, in the
spool or already stored) and ``acked`` (everything before it is acknowledged by the server).
Reading resumes at ``spooled``; ``acked`` only moves on the server's acknowledgement and is what
the lag is measured against. The file is replaced atomically, never edited in place.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class FilePosition:
    path: str
    spooled: int = 0
    acked: int = 0
    size: int = 0
    seen: float = 0.0


class PositionStore:
    def __init__(self, path: Path, fsync: bool = True) -> None:
        self.path = path
        self.fsync = fsync
        self._lock = threading.Lock()
        self.first_start = not path.exists()
        self.files: dict[str, FilePosition] = {}
        if not self.first_start:
            doc = json.loads(path.read_text() or "{}")
            self.files = {k: FilePosition(**v) for k, v in doc.get("files", {}).items()}
        path.parent.mkdir(parents=True, exist_ok=True)

    def get(self, ident: str) -> FilePosition | None:
        with self._lock:
            return self.files.get(ident)

    def items(self) -> list[tuple[str, FilePosition]]:
        with self._lock:
            return list(self.files.items())

    def ensure(self, ident: str, path: str, start: int) -> FilePosition:
        with self._lock:
            pos = self.files.get(ident)
            if pos is None:
                pos = self.files[ident] = FilePosition(path, start, start, 0, time.time())
            pos.path = path or pos.path
            return pos

    def advance(self, ident: str, spooled: int, size: int | None = None, acked_too: bool = False) -> None:
        """Record that everything before ``spooled`` is durable; persists before returning."""
        with self._lock:
            pos = self.files[ident]
            pos.spooled = max(pos.spooled, spooled)
            if acked_too:
                pos.acked = max(pos.acked, spooled)
            if size is not None:
                pos.size, pos.seen = size, time.time()
            self._save()

    def acknowledge(self, ident: str, offset: int, all_done: bool = False) -> None:
        """The server stored everything before ``offset`` of ``ident`` (lazily persisted); with
        ``all_done`` no batch of it waits, so everything spooled is stored."""
        with self._lock:
            pos = self.files.get(ident)
            if pos is not None:
                pos.acked = max(pos.acked, offset, pos.spooled if all_done else 0)

    def observe(self, ident: str, size: int) -> None:
        with self._lock:
            pos = self.files.get(ident)
            if pos is not None:
                pos.size, pos.seen = size, time.time()

    def forget(self, older_than: float) -> None:
        """Drop identities of files unseen for ``older_than`` seconds whose data is all acknowledged."""
        now = time.time()
        with self._lock:
            for ident in [k for k, p in self.files.items() if now - p.seen > older_than and p.acked >= p.spooled]:
                del self.files[ident]

    def save(self) -> None:
        with self._lock:
            self._save()

    def _save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"version": 1, "files": {k: asdict(v) for k, v in self.files.items()}}, f)
            if self.fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, self.path)
