"""syslog over TCP: octet counting (RFC 6587 §3.4.1, ``123 <34>1 ...``) or newline framing.

A sender picks one per connection, but the framer decides per message (as rsyslog does): digits
and a space start an octet-counted frame, anything else runs to the next LF (or NUL). An
oversized message is cut at ``max_bytes`` and the rest of it skipped, so memory stays bounded.
"""

from __future__ import annotations


class SyslogFramer:
    """Feed it bytes as they arrive; it returns complete messages."""

    def __init__(self, max_bytes: int = 1 << 20) -> None:
        self.max_bytes = max_bytes
        self._buf = bytearray()
        self._skip = 0  # bytes of an oversized octet-counted frame still to drop
        self._skip_line = False  # dropping the rest of an oversized newline-framed message

    def feed(self, data: bytes) -> list[bytes]:
        self._buf += data
        out: list[bytes] = []
        while self._buf:
            if self._skip:
                n = min(self._skip, len(self._buf))
                del self._buf[:n]
                self._skip -= n
                continue
            if self._skip_line:
                end = self._line_end()
                if end < 0:
                    self._buf.clear()
                    break
                del self._buf[:end + 1]
                self._skip_line = False
                continue
            message = self._octet_counted() if self._buf[:1].isdigit() else self._newline()
            if message is None:
                break
            if message:
                out.append(message)
        return out

    def flush(self) -> list[bytes]:
        """What is left when the connection closes: a last message without its newline, or the part
        of an octet-counted frame that arrived (without its length; :meth:`incomplete` says how much)."""
        cut = self.incomplete()
        if cut is not None:
            rest = bytes(self._buf[self._buf.find(b" ") + 1:])
        else:
            rest = bytes(self._buf).strip(b"\r\n\x00") if not (self._skip or self._skip_line) else b""
        self._buf.clear()
        return [rest] if rest else []

    def incomplete(self) -> tuple[int, int] | None:
        """(announced, received) bytes of an octet-counted frame the sender has not finished."""
        space = self._buf.find(b" ", 0, 12)
        if self._skip or space <= 0 or not bytes(self._buf[:space]).isdigit():
            return None
        announced, received = int(self._buf[:space]), len(self._buf) - space - 1
        return (announced, received) if received < announced else None

    def _line_end(self) -> int:
        lf, nul = self._buf.find(b"\n"), self._buf.find(b"\x00")
        return min(x for x in (lf, nul) if x >= 0) if lf >= 0 or nul >= 0 else -1

    def _octet_counted(self) -> bytes | None:
        space = self._buf.find(b" ", 0, 12)
        if space < 0:
            return None if len(self._buf) < 12 else self._newline()
        digits = bytes(self._buf[:space])
        if not digits.isdigit():
            return self._newline()
        length = int(digits)
        if length > self.max_bytes:
            message = bytes(self._buf[space + 1:space + 1 + self.max_bytes])
            if len(message) < self.max_bytes:
                return None
            del self._buf[:space + 1 + self.max_bytes]
            self._skip = length - self.max_bytes
            return message
        if len(self._buf) < space + 1 + length:
            return None
        message = bytes(self._buf[space + 1:space + 1 + length])
        del self._buf[:space + 1 + length]
        return message

    def _newline(self) -> bytes | None:
        end = self._line_end()
        if end < 0:
            if len(self._buf) <= self.max_bytes:
                return None
            message = bytes(self._buf[:self.max_bytes])
            self._buf.clear()
            self._skip_line = True
            return message
        message = bytes(self._buf[:min(end, self.max_bytes)]).rstrip(b"\r")
        del self._buf[:end + 1]
        return message
