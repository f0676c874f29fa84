"""From lines to log records for one source: container decoding, partial-line joining,
multiline grouping, parsing, severity, filters, field edits and redaction, in that order.

Each record keeps the source offset just past its last line; the batcher commits to that offset,
so lines still held (an open stack trace, a partial container line) are read again after a crash.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from meshscope.agent.config import FieldMatch, Multiline, Parser
from meshscope.agent.container import DECODERS, PartialJoiner
from meshscope.agent.multiline import MultilineGrouper
from meshscope.agent.parsers import FieldParser, detect_severity
from meshscope.agent.records import Line, LogEntry
from meshscope.agent.redact import Redactor


@dataclass(frozen=True)
class PipelineSpec:
    """The processing an input asks for (files and stdin share it)."""

    format: str = "plain"
    multiline: Multiline | None = None
    parser: Parser | None = None
    include: list[FieldMatch] = field(default_factory=list)
    exclude: list[FieldMatch] = field(default_factory=list)
    drop_fields: list[str] = field(default_factory=list)
    rename_fields: dict[str, str] = field(default_factory=dict)


def _matcher(rules: list[FieldMatch]) -> Callable[[LogEntry], bool]:
    compiled = [(r.field, re.compile(r.regex)) for r in rules]

    def matches(entry: LogEntry) -> bool:
        for name, rx in compiled:
            value = entry.body if name == "body" else entry.attributes.get(name)
            if value is not None and rx.search(value):
                return True
        return False

    return matches


class Pipeline:
    """Stateful per source; :meth:`feed` returns the records completed and the offset they reach."""

    def __init__(self, spec: PipelineSpec, redactor: Redactor | None, max_line_bytes: int) -> None:
        self.decode = DECODERS.get(spec.format)
        self.joiner = PartialJoiner(max_line_bytes) if self.decode else None
        self.grouper = MultilineGrouper(spec.multiline) if spec.multiline else None
        self.parser = FieldParser(spec.parser) if spec.parser else None
        self.include = _matcher(spec.include) if spec.include else None
        self.exclude = _matcher(spec.exclude) if spec.exclude else None
        self.drop, self.rename = spec.drop_fields, spec.rename_fields
        self.redactor = redactor if redactor is not None and redactor.active else None
        self.filtered = 0
        self._waiting: deque[tuple[LogEntry | None, int]] = deque()

    def feed(self, lines: list[Line]) -> tuple[list[LogEntry], int]:
        """Records completed by ``lines`` and the offset past the last line they used (-1: none)."""
        for line in lines:
            for complete in self._complete(line):
                self._waiting.append((self._process(complete), complete.end))
        return self._release()

    def expire(self, final: bool = False) -> tuple[list[LogEntry], int]:
        """Records a quiet source has held past the flush timeout (all of them when ``final``)."""
        done: list[Line] = []
        if final and self.joiner is not None:
            for line in self.joiner.flush():
                done += self.grouper.feed(line) if self.grouper is not None else [line]
        if self.grouper is not None:
            done += self.grouper.flush() if final else self.grouper.expire()
        self._waiting.extend((self._process(line), line.end) for line in done)
        return self._release()

    def _release(self) -> tuple[list[LogEntry], int]:
        """Records up to where the source can be committed: while one stream's partial line is
        open, records of the other stream that came after it wait, or a crash would resend them."""
        held = self.joiner.pending_start if self.joiner is not None else None
        out: list[LogEntry] = []
        end = -1
        while self._waiting and (held is None or self._waiting[0][1] <= held):
            entry, end = self._waiting.popleft()
            if entry is not None:
                out.append(entry)
        return out, end

    def _complete(self, line: Line) -> list[Line]:
        if self.decode is not None and self.joiner is not None:
            joined = self.joiner.feed(self.decode(line))
            if joined is None:
                return []
            line = joined
        if self.grouper is None:
            return [line]
        return self.grouper.feed(line)

    def _process(self, line: Line) -> LogEntry | None:
        entry = LogEntry(line.text, line.end, line.time_ns)
        if line.stream:
            entry.attributes["log.iostream"] = line.stream
        if self.parser is not None:
            self.parser.apply(entry)
        detect_severity(entry)
        if (self.include is not None and not self.include(entry)) or (
                self.exclude is not None and self.exclude(entry)):
            self.filtered += 1
            return None
        for name in self.drop:
            entry.attributes.pop(name, None)
        for old, new in self.rename.items():
            if old in entry.attributes:
                entry.attributes[new] = entry.attributes.pop(old)
        if self.redactor is not None:
            self.redactor.apply(entry)
        return entry
