"""One open file being read: its identity, read offset, line state, processing and pending batch."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from meshscope.agent.batcher import PendingBatch
from meshscope.agent.fingerprint import fingerprint
from meshscope.agent.lines import LineSplitter
from meshscope.agent.pipeline import Pipeline

READ_CHUNK = 256 * 1024


@dataclass
class FileCursor:
    """Reads by file descriptor, so a renamed or deleted file is still drained to its end."""

    ident: str
    fp: str
    path: str
    fd: int
    dev: int
    ino: int
    splitter: LineSplitter
    pipeline: Pipeline
    resource: dict[str, str]
    batch: PendingBatch
    fp_bytes: int = 1024
    rotated_at: float = 0.0
    last_growth: float = field(default_factory=time.monotonic)
    lines_read: int = 0

    @property
    def offset(self) -> int:
        """Offset of the next byte to read from the file."""
        return self.splitter.offset + self.splitter.buffered

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def read_chunk(self) -> int:
        """Read and process the next chunk; the number of bytes read, 0 at the file's end."""
        data = os.pread(self.fd, READ_CHUNK, self.offset)
        if not data:
            return 0
        if fingerprint(self.fd, self.fp_bytes) != self.fp:
            return 0  # truncated and rewritten meanwhile: these bytes are another file's (see tailer)
        self.last_growth = time.monotonic()
        lines = self.splitter.feed(data)
        self.lines_read += len(lines)
        done, end = self.pipeline.feed(lines)
        self.batch.add(done, end)
        return len(data)

    def expire(self, final: bool = False) -> None:
        """Emit a multiline record that waited too long; at the end of a drained file, everything."""
        if final:
            lines = self.splitter.rest()
            self.lines_read += len(lines)
            done, end = self.pipeline.feed(lines)
            self.batch.add(done, end)
        done, end = self.pipeline.expire(final)
        self.batch.add(done, end)

    def swap_file(self, fd: int, dev: int, ino: int, path: str) -> None:
        """Continue in another file holding the same bytes (the copy of a copytruncate)."""
        os.close(self.fd)
        self.fd, self.dev, self.ino, self.path = fd, dev, ino, path

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass
