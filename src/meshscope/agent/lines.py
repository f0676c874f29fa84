"""Bytes to lines with offsets, and a cap on line length so one huge line never stalls a file."""

from __future__ import annotations

from meshscope.agent.records import Line


class LineSplitter:
    """Cuts a byte stream at newlines; ``offset`` is the stream offset of the first buffered byte.

    A line longer than ``max_bytes`` is emitted in ``max_bytes`` pieces (``split``) or cut to
    ``max_bytes`` with the rest skipped up to its newline (``truncate``)."""

    def __init__(self, offset: int, max_bytes: int, mode: str = "split") -> None:
        self.offset = offset
        self.max_bytes = max_bytes
        self.truncate = mode == "truncate"
        self._buf = b""
        self._skipping = False

    @property
    def buffered(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[Line]:
        buf = self._buf + data if self._buf else data
        out: list[Line] = []
        pos, base = 0, self.offset
        while True:
            nl = buf.find(b"\n", pos, pos + self.max_bytes + 1)
            if nl < 0:
                if len(buf) - pos <= self.max_bytes:
                    break
                cut = pos + self.max_bytes
                if not self._skipping:
                    out.append(Line(_text(buf[pos:cut]), base + cut))
                self._skipping = self.truncate
                pos = cut
                continue
            if not self._skipping:
                out.append(Line(_text(buf[pos:nl]), base + nl + 1))
            self._skipping = False
            pos = nl + 1
        self._buf = buf[pos:]
        self.offset = base + pos
        return out

    def rest(self) -> list[Line]:
        """The unterminated tail, for a source that will not grow again (a drained rotated file)."""
        if not self._buf:
            return []
        line = Line(_text(self._buf), self.offset + len(self._buf))
        self.offset += len(self._buf)
        self._buf = b""
        return [] if self._skipping else [line]


def _text(raw: bytes) -> str:
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    return raw.decode("utf-8", "replace")
