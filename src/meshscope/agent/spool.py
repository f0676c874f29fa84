"""The bounded disk spool: every batch is written here, exactly as it will be sent, before it is sent.

A batch file is the request body plus a header with its deduplication key and the source range it
covers, so a batch resent after any crash is byte-identical and carries the same key. When the
spool holds ``max_bytes``, :meth:`put` waits: reading pauses instead of dropping lines.
"""

from __future__ import annotations

import json
import os
import struct
import threading
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Batch:
    """One spooled request: ``source`` and ``start``/``end`` say which bytes of which file it holds."""

    seq: int
    key: str
    signal: str
    source: str
    start: int
    end: int
    records: int
    size: int
    body: bytes = b""


class Spool:
    def __init__(self, directory: Path, max_bytes: int, fsync: bool = True, read_only: bool = False) -> None:
        self.dir = directory
        self.rejected_dir = directory / "rejected"
        if not read_only:
            self.rejected_dir.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.fsync = fsync
        self._cond = threading.Condition()
        self._ready: dict[int, Batch] = {}
        self._claimed: set[int] = set()
        self.bytes = 0
        self.full = False
        self.closed = False
        self.interrupted = False  # set from a signal handler: no lock, waiting puts give up
        for p in sorted(directory.glob("*.tmp")) if not read_only else []:
            p.unlink()
        for p in sorted(directory.glob("*.batch")):
            try:
                batch, parent = _read(p, with_body=False)
            except (OSError, ValueError):
                continue  # sent and removed while a read-only reader listed it
            if parent and self._path(parent).exists() and not read_only:
                p.unlink()  # a split interrupted before its original was removed: keep the original
                continue
            self._ready[batch.seq] = batch
            self.bytes += batch.size
        self._next = max(self._ready, default=0) + 1

    def resume_offsets(self) -> dict[str, int]:
        """The end of the last spooled batch of every source: where reading must resume."""
        ends: dict[str, int] = {}
        for b in self._ready.values():
            ends[b.source] = max(ends.get(b.source, 0), b.end)
        return ends

    def put(self, key: str, signal: str, source: str, start: int, end: int, records: int, body: bytes,
            wait: bool = True) -> bool:
        """Write a batch durably; waits while the spool is full (False if closed or not waiting)."""
        with self._cond:
            while self._ready and self.bytes + len(body) + 256 > self.max_bytes:
                self.full = True
                if not wait or self.interrupted:
                    return False
                self._cond.wait(0.5)
            self.full = False
            if self.closed:
                return False
            batch = Batch(self._next, key, signal, source, start, end, records, len(body) + 256, body)
            self._next += 1
            self._write(batch)
            self._ready[batch.seq] = replace(batch, body=b"")
            self.bytes += batch.size
            self._cond.notify_all()
            return True

    def claim(self, timeout: float) -> Batch | None:
        """The oldest batch no sender is working on."""
        with self._cond:
            free = [s for s in self._ready if s not in self._claimed]
            if not free:
                self._cond.wait(timeout)
                free = [s for s in self._ready if s not in self._claimed]
                if not free:
                    return None
            seq = min(free)
            self._claimed.add(seq)
        return _read(self._path(seq), with_body=True)[0]

    def release(self, batch: Batch) -> None:
        with self._cond:
            self._claimed.discard(batch.seq)
            self._cond.notify_all()

    def done(self, batch: Batch, rejected: bool = False) -> None:
        """Acknowledged (or refused for good, then kept aside under ``rejected/``): free its space."""
        path = self._path(batch.seq)
        if rejected:
            os.replace(path, self.rejected_dir / path.name)
        else:
            path.unlink(missing_ok=True)
        with self._cond:
            self._ready.pop(batch.seq, None)
            self._claimed.discard(batch.seq)
            self.bytes -= batch.size
            self._cond.notify_all()

    def replace(self, batch: Batch, parts: list[tuple[str, int, bytes]]) -> None:
        """Swap a batch the server found too large for smaller ones (written before it is removed)."""
        with self._cond:
            for key, records, body in parts:
                part = Batch(self._next, key, batch.signal, batch.source, batch.start, batch.end, records,
                             len(body) + 256, body)
                self._next += 1
                self._write(part, parent=batch.seq)
                self._ready[part.seq] = replace(part, body=b"")
                self.bytes += part.size
        self.done(batch)

    def pending(self) -> int:
        with self._cond:
            return len(self._ready)

    def pending_for(self, source: str) -> list[Batch]:
        with self._cond:
            return [b for b in self._ready.values() if b.source == source]

    def close(self) -> None:
        self.interrupted = True
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def _path(self, seq: int) -> Path:
        return self.dir / f"{seq:016d}.batch"

    def _write(self, batch: Batch, parent: int = 0) -> None:
        header = json.dumps({"key": batch.key, "signal": batch.signal, "source": batch.source,
                             "start": batch.start, "end": batch.end, "records": batch.records,
                             "parent": parent}).encode()
        tmp = self._path(batch.seq).with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(struct.pack(">I", len(header)) + header + batch.body)
            if self.fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, self._path(batch.seq))


def _read(path: Path, with_body: bool) -> tuple[Batch, int]:
    """The batch in ``path`` and the batch it was split from (0: none)."""
    with open(path, "rb") as f:
        (n,) = struct.unpack(">I", f.read(4))
        h = json.loads(f.read(n))
        body = f.read() if with_body else b""
        size = path.stat().st_size - 4 - n + 256
    return Batch(int(path.stem), h["key"], h["signal"], h["source"], h["start"], h["end"], h["records"],
                 size, body), int(h.get("parent", 0))
