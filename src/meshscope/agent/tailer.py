"""Tail the files of one input: discovery by glob, identity by fingerprint, rotation and truncation.

Rename rotation: the path points to a new file; the old one stays open by descriptor and is
read until it has been quiet for ``rotate_wait``. Copytruncate: the file shrank (or its first line
changed); the rest of the old content is read from the copy next to it (same fingerprint).
"""

from __future__ import annotations

import contextlib
import fnmatch
import glob
import logging
import os
import time

from meshscope.agent.batcher import PendingBatch, Shipper
from meshscope.agent.config import FileInput, Tailing
from meshscope.agent.cursor import FileCursor
from meshscope.agent.enrich import file_resource
from meshscope.agent.fingerprint import fingerprint, fingerprint_path
from meshscope.agent.lines import LineSplitter
from meshscope.agent.pipeline import Pipeline, PipelineSpec
from meshscope.agent.positions import PositionStore
from meshscope.agent.redact import Redactor
from meshscope.agent.siblings import find_copy, unseen_generations
from meshscope.agent.telemetry import AgentMetrics

log = logging.getLogger(__name__)


def _start_at_end(fd: int) -> int:
    """The offset after the last complete line, so the line being written is read whole."""
    size = os.fstat(fd).st_size
    tail = os.pread(fd, min(size, 65536), max(0, size - 65536))
    nl = tail.rfind(b"\n")
    return size - len(tail) + nl + 1 if nl >= 0 else size


class FileTailer:
    def __init__(self, name: str, spec: FileInput, tailing: Tailing, host: str, redactor: Redactor,
                 positions: PositionStore, shipper: Shipper, metrics: AgentMetrics) -> None:
        self.name, self.spec, self.tailing, self.host = name, spec, tailing, host
        self.redactor, self.positions, self.shipper, self.metrics = redactor, positions, shipper, metrics
        self.pipeline_spec = PipelineSpec(spec.format, spec.multiline, spec.parser, list(spec.include),
                                          list(spec.exclude_lines), list(spec.drop_fields),
                                          dict(spec.rename_fields))
        self.cursors: dict[str, FileCursor] = {}
        self.initial_scan = True
        # since when each path has been watched: later siblings we do not know are missed rotations
        self.watched_since: dict[str, float] = {}

    # ---- discovery
    def matching_paths(self) -> list[str]:
        found: set[str] = set()
        for pattern in self.spec.paths:
            found.update(glob.glob(pattern))
        return sorted(p for p in found if os.path.isfile(p) and not self._excluded(p))

    def _matches(self, path: str) -> bool:
        """Discovery reads it anyway."""
        return any(fnmatch.fnmatch(path, p) for p in self.spec.paths)

    def _excluded(self, path: str) -> bool:
        return any(fnmatch.fnmatch(path, x) or fnmatch.fnmatch(os.path.basename(path), x)
                   for x in self.spec.exclude)

    def discover(self) -> None:
        by_inode = {(c.dev, c.ino): c for c in self.cursors.values()}
        for path in self.matching_paths():
            try:
                st = os.stat(path)
            except OSError:
                continue
            known = by_inode.get((st.st_dev, st.st_ino))
            if known is not None:
                known.path, known.rotated_at = path, 0.0
                continue
            self._open(path)
        self.initial_scan = False

    def _open(self, path: str) -> None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return
        fp = fingerprint(fd, self.tailing.fingerprint_bytes)
        if fp is None or any(c.fp == fp for c in self.cursors.values()):
            os.close(fd)  # no complete first line yet, or a copy of a file we are reading
            return
        st = os.fstat(fd)
        ident = self._identity(fp, st.st_size)
        pos = self.positions.get(ident)
        if pos is not None:
            start = pos.spooled
        elif self.initial_scan and self.positions.first_start and self.spec.read_from == "end":
            start = _start_at_end(fd)
        else:
            start = 0
        if path not in self.watched_since:  # after a restart: since we last saw the path
            seen = [p.seen for _, p in self.positions.items() if p.path == path]
            if seen:
                self.watched_since[path] = max(seen)
        self.positions.ensure(ident, path, start)
        self._add_cursor(ident, fp, path, fd, st, start)
        log.debug("reading %s (id %s) from offset %d", path, ident, start)
        self._drain_missed(path)
        self.watched_since[path] = time.time()

    def _add_cursor(self, ident: str, fp: str, path: str, fd: int, st: os.stat_result, start: int,
                    resource_path: str = "") -> None:
        resource = file_resource(resource_path or path, self.host, self.spec.service_name, self.spec.service_from_path,
                                 dict(self.spec.attributes))
        pipeline = Pipeline(self.pipeline_spec, self.redactor, self.tailing.max_line_bytes)
        splitter = LineSplitter(start, self.tailing.max_line_bytes, self.tailing.long_lines)
        self.cursors[ident] = FileCursor(ident, fp, path, fd, st.st_dev, st.st_ino, splitter, pipeline,
                                         resource, PendingBatch(start, start), self.tailing.fingerprint_bytes)

    def _identity(self, fp: str, size: int) -> str:
        """``fp``, or ``fp~n`` for a file truncated and rewritten with the same first line."""
        ident, n = fp, 0
        while ident in self.cursors or ((pos := self.positions.get(ident)) is not None and pos.spooled > size):
            n += 1
            ident = f"{fp}~{n}"
        return ident

    def recover_rotated(self) -> None:
        """At start: files rotated while the agent was down are drained from their new names."""
        for ident, pos in self.positions.items():
            if ident in self.cursors or not any(fnmatch.fnmatch(pos.path, p) for p in self.spec.paths):
                continue
            fp = ident.split("~")[0]
            if fingerprint_path(pos.path, self.tailing.fingerprint_bytes) == fp:
                continue
            copy = find_copy(pos.path, fp, pos.spooled + 1, (-1, -1), self.tailing.fingerprint_bytes)
            if copy is not None:
                fd, st, path = copy
                self._add_cursor(ident, fp, path, fd, st, pos.spooled, resource_path=pos.path)
                self.cursors[ident].rotated_at = time.monotonic()

    # ---- rotation and truncation
    def check_rotation(self, cursor: FileCursor) -> None:
        try:
            st = os.stat(cursor.path)
            moved = (st.st_dev, st.st_ino) != (cursor.dev, cursor.ino)
        except OSError:
            moved = True
        if moved and not cursor.rotated_at:
            cursor.rotated_at = time.monotonic()
            self.metrics.rotations.inc()
            self._drain_missed(cursor.resource.get("log.file.path", cursor.path))
        size = cursor.size()
        if size < cursor.offset or fingerprint(cursor.fd, self.tailing.fingerprint_bytes) != cursor.fp:
            self._truncated(cursor)
            self._drain_missed(cursor.resource.get("log.file.path", cursor.path))

    def _drain_missed(self, original: str) -> None:
        """Rotated files we never saw (two rotations between polls) are read whole."""
        since = self.watched_since.get(original)
        if since is None:
            return
        known = {c.fp for c in self.cursors.values()}
        for path, fp in unseen_generations(
                original, since, lambda f: f in known or self.positions.get(f) is not None,
                lambda p: self._excluded(p) or self._matches(p), self.tailing.fingerprint_bytes):
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            self.positions.ensure(fp, path, 0)
            self._add_cursor(fp, fp, path, fd, os.fstat(fd), 0)
            self.cursors[fp].rotated_at = time.monotonic()
            known.add(fp)
            log.debug("reading %s (id %s), a rotated file never seen at %s", path, fp, original)

    def _truncated(self, cursor: FileCursor) -> None:
        """Drain the rest of the old content from its copy, then start over on the truncated file."""
        self.metrics.truncations.inc()
        copy = find_copy(cursor.path, cursor.fp, cursor.offset, (cursor.dev, cursor.ino),
                         self.tailing.fingerprint_bytes)
        if copy is None:
            log.warning("%s was truncated; what it held after offset %d was not read and no copy of it "
                        "(a file named like it with the same first line) was found", cursor.path, cursor.offset)
            self._finish(cursor)
            return
        fd, st, path = copy
        log.debug("%s was truncated at offset %d; reading the rest from %s", cursor.path, cursor.offset, path)
        cursor.swap_file(fd, st.st_dev, st.st_ino, path)
        cursor.rotated_at = time.monotonic()

    # ---- reading
    def poll(self, budget: int) -> bool:
        """Read what is new in every file; True when some file still has unread bytes."""
        self.discover()
        busy = False
        for cursor in list(self.cursors.values()):
            self.check_rotation(cursor)
            if cursor.ident not in self.cursors:
                continue
            if not self._read(cursor, budget):
                return False
            if cursor.ident in self.cursors:
                busy = busy or cursor.offset < cursor.size()
        return busy

    def _read(self, cursor: FileCursor, budget: int) -> bool:
        before, filtered = cursor.lines_read, cursor.pipeline.filtered
        eof = False
        while budget > 0:
            n = cursor.read_chunk()
            if n == 0:
                eof = True
                break
            budget -= n
            if self.shipper.due(cursor.batch) and not self._ship(cursor):
                return False
        self.metrics.lines_read.labels(self.name).inc(cursor.lines_read - before)
        self.metrics.records_filtered.labels(self.name).inc(cursor.pipeline.filtered - filtered)
        cursor.expire()
        if cursor.rotated_at and eof and time.monotonic() - max(cursor.rotated_at, cursor.last_growth) \
                >= self.tailing.rotate_wait:
            return self._finish(cursor)
        if self.shipper.due(cursor.batch):
            return self._ship(cursor)
        return True

    def _ship(self, cursor: FileCursor) -> bool:
        return self.shipper.ship(cursor.ident, cursor.resource, cursor.batch, cursor.size())

    def _finish(self, cursor: FileCursor) -> bool:
        """A rotated file is drained: ship its last records and stop reading it."""
        cursor.expire(final=True)
        if not self._ship(cursor):
            return False
        log.debug("finished rotated %s (id %s) at offset %d", cursor.path, cursor.ident, cursor.offset)
        with contextlib.suppress(KeyError):
            self.metrics.lag.remove(cursor.path)
        cursor.close()
        del self.cursors[cursor.ident]
        return True

    def report(self) -> None:
        """Lag per file: bytes not yet acknowledged by the server."""
        for cursor in self.cursors.values():
            size = cursor.size()
            self.positions.observe(cursor.ident, size)
            pos = self.positions.get(cursor.ident)
            if pos is not None:
                self.metrics.lag.labels(cursor.path).set(max(0, size - pos.acked))

    def flush(self) -> bool:
        """Ship every pending batch (shutdown); held multiline records stay unread for next time."""
        return all(self._ship(c) for c in list(self.cursors.values()))

    def close(self) -> None:
        for cursor in self.cursors.values():
            cursor.close()
        self.cursors.clear()
