"""Multiline grouping: stack traces and other records that span lines become one record.

A line matching ``start`` opens a record. With a ``continuation`` pattern only matching lines are
appended (a non-matching line is a record of its own); without one every non-start line is.
A record still open after ``flush_timeout`` without new lines is emitted, so the last trace of a
quiet file is not held forever.
"""

from __future__ import annotations

import re
import time

from meshscope.agent.config import Multiline
from meshscope.agent.records import Line

# A trace belongs to the log line before it (``log.error("failed", e)``, ``logger.exception``).
# Java: "java.lang.XException: msg", "\tat ...", "Caused by: ...", "\t... 5 more".
# Python: "Traceback (most recent call last):", indented frames, then "ValueError: msg".
PRESETS: dict[str, tuple[str, str]] = {
    "java": (r"^[^\s]", r"^(\s+at\s|\s+\.\.\.\s+\d+\s+more|Caused by:|Suppressed:|\s+|"
                       r"[\w.$]+(Exception|Error|Throwable)(:.*)?$)"),
    "python": (r"^[^\s]", r"^(\s+|Traceback \(most recent call last\):|[\w.]+(Error|Exception|Exit|Interrupt)"
                          r"(:.*)?$|During handling of the above exception|The above exception was|$)"),
}


class MultilineGrouper:
    """Feed lines, get complete records back; :meth:`expire` emits a record that waited too long."""

    def __init__(self, spec: Multiline) -> None:
        start, cont = PRESETS.get(spec.preset, (spec.start, spec.continuation))
        self.start = re.compile(spec.start or start) if (spec.start or start) else None
        self.cont = re.compile(spec.continuation or cont) if (spec.continuation or cont) else None
        self.timeout = spec.flush_timeout
        self.max_lines = spec.max_lines
        self._lines: list[Line] = []
        self._touched = 0.0

    def feed(self, line: Line) -> list[Line]:
        out: list[Line] = []
        if self._lines and (self._begins(line.text) or len(self._lines) >= self.max_lines):
            out.append(self._take())
        self._lines.append(line)
        self._touched = time.monotonic()
        return out

    def _begins(self, text: str) -> bool:
        if self.cont is not None:
            return not self.cont.match(text)
        return self.start is not None and bool(self.start.match(text))

    def expire(self, now: float | None = None) -> list[Line]:
        if self._lines and (now if now is not None else time.monotonic()) - self._touched >= self.timeout:
            return [self._take()]
        return []

    def flush(self) -> list[Line]:
        return [self._take()] if self._lines else []

    @property
    def pending(self) -> bool:
        return bool(self._lines)

    def _take(self) -> Line:
        lines, self._lines = self._lines, []
        first, last = lines[0], lines[-1]
        return Line("\n".join(ln.text for ln in lines), last.end, first.time_ns, first.stream)
