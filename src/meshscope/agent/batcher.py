"""Batches of one source, cut by size and time, and written to the spool with their key.

A batch covers the source bytes ``[start, end)``: its key is ``<source>:<start>-<end>:<body hash>``.
The batch is spooled before the position moves past it, and reading resumes at the end of the
last spooled batch, so after a crash no batch is formed twice and every spooled one is resent
unchanged with its key — the server stores it once.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

from meshscope.agent.config import Output
from meshscope.agent.encode import compress, logs_request
from meshscope.agent.positions import PositionStore
from meshscope.agent.records import LogEntry
from meshscope.agent.spool import Spool
from meshscope.agent.telemetry import AgentMetrics


@dataclass
class PendingBatch:
    """Records of one source not yet spooled; ``end`` is the offset they (and filtered lines) reach."""

    start: int
    end: int
    entries: list[LogEntry] = field(default_factory=list)
    bytes: int = 0
    opened: float = 0.0

    def add(self, entries: list[LogEntry], end: int) -> None:
        if entries and not self.entries:
            self.opened = time.monotonic()
        self.entries.extend(entries)
        self.bytes += sum(len(e.body) + 40 for e in entries)
        if end > self.end:
            self.end = end
            if not self.opened:
                self.opened = time.monotonic()


class Shipper:
    """Turns pending batches into spooled requests and moves the source's position."""

    def __init__(self, output: Output, spool: Spool, positions: PositionStore | None,
                 metrics: AgentMetrics) -> None:
        self.output = output
        self.spool = spool
        self.positions = positions
        self.metrics = metrics

    def due(self, batch: PendingBatch, now: float | None = None) -> bool:
        if len(batch.entries) >= self.output.batch_max_records or batch.bytes >= self.output.batch_max_bytes:
            return True
        waited = (now or time.monotonic()) - batch.opened
        return batch.end > batch.start and bool(batch.opened) and waited >= self.output.batch_timeout

    def ship(self, ident: str, resource: dict[str, str], batch: PendingBatch, size: int | None = None) -> bool:
        """Spool ``batch`` (waiting while the spool is full); False when the agent is closing."""
        if batch.end <= batch.start:
            return True
        if batch.entries:
            body = compress(logs_request(resource, batch.entries), self.output.gzip)
            digest = hashlib.blake2b(body, digest_size=6).hexdigest()
            key = f"{ident}:{batch.start}-{batch.end}:{digest}"
            if not self.spool.put(key, "logs", ident, batch.start, batch.end, len(batch.entries), body):
                return False
            self.metrics.records_spooled.inc(len(batch.entries))
        if self.positions is not None:
            self.positions.advance(ident, batch.end, size, acked_too=not batch.entries
                                   and not self.spool.pending_for(ident))
        batch.start, batch.entries, batch.bytes, batch.opened = batch.end, [], 0, 0.0
        return True
