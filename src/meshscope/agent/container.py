"""Container runtime log formats: Docker's JSON lines and the CRI text format, with the partial
lines both split long output into joined back into one line."""

from __future__ import annotations

import json
from datetime import datetime

from meshscope.agent.records import Line


def parse_rfc3339_ns(text: str) -> int:
    """Nanoseconds since the epoch of an RFC 3339 time with up to nanosecond fractions (0 if not one)."""
    try:
        head, _, rest = text.partition(".")
        if not rest:
            return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1e9)
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits):].replace("Z", "+00:00") or "+00:00"
        base = int(datetime.fromisoformat(head + zone).timestamp()) * 1_000_000_000
        return base + int((digits + "000000000")[:9])
    except ValueError:
        return 0


def docker_line(line: Line) -> Line:
    """``{"log": "...\\n", "stream": "stdout", "time": "..."}``; a log without a newline is partial."""
    try:
        doc = json.loads(line.text)
        text = doc["log"]
    except (ValueError, KeyError, TypeError):
        return line
    partial = not text.endswith("\n")
    return Line(text.rstrip("\r\n"), line.end, parse_rfc3339_ns(str(doc.get("time", ""))),
                str(doc.get("stream", "")), partial)


def cri_line(line: Line) -> Line:
    """``<time> <stream> <P|F> <content>``; ``P`` marks a partial line."""
    parts = line.text.split(" ", 3)
    if len(parts) < 3 or parts[2] not in ("P", "F"):
        return line
    content = parts[3] if len(parts) == 4 else ""
    return Line(content, line.end, parse_rfc3339_ns(parts[0]), parts[1], parts[2] == "P")


def auto_line(line: Line) -> Line:
    return docker_line(line) if line.text.startswith("{") else cri_line(line)


DECODERS = {"docker": docker_line, "cri": cri_line, "auto": auto_line}


class PartialJoiner:
    """Joins partial lines per stream; a complete line ends the run and carries its offset.

    While a run of one stream is open, :attr:`pending_start` is where it began: the source may not
    be committed past it even when the other stream completes lines meanwhile."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._parts: dict[str, list[Line]] = {}
        self._starts: dict[str, int] = {}
        self._last_end = -1

    def feed(self, line: Line) -> Line | None:
        parts = self._parts.setdefault(line.stream, [])
        if not parts:
            self._starts[line.stream] = self._last_end
        self._last_end = line.end
        parts.append(line)
        if line.partial and sum(len(p.text) for p in parts) < self.max_bytes:
            return None
        del self._parts[line.stream]
        del self._starts[line.stream]
        return Line("".join(p.text for p in parts), line.end, parts[0].time_ns, line.stream)

    def flush(self) -> list[Line]:
        """Open runs as they are (the source ended in the middle of a line)."""
        runs = [Line("".join(p.text for p in parts), parts[-1].end, parts[0].time_ns, stream)
                for stream, parts in self._parts.items()]
        self._parts.clear()
        self._starts.clear()
        return sorted(runs, key=lambda ln: ln.end)

    @property
    def pending_start(self) -> int | None:
        """The offset before the oldest open run (-1: unknown, the start of what was read)."""
        return min(self._starts.values()) if self._starts else None
