"""Loki's ``pattern`` parser: ``<ip> - - [<_>] "<method> <path> <_>"`` matched without regexes.

Semantics copied from Loki: a leading literal must start the line; each capture runs up to the
next literal; a capture with no following literal (or whose literal is missing) takes the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CAPTURE = re.compile(r"<(_|[a-zA-Z_][a-zA-Z0-9_]*)>")


class PatternError(ValueError):
    pass


@dataclass(frozen=True)
class CompiledPattern:
    parts: tuple[tuple[bool, str], ...]  # (is_capture, name or literal)

    def match(self, line: str) -> dict[str, str]:
        """The named captures found in ``line`` (empty when the pattern does not apply)."""
        parts = list(self.parts)
        rest = line
        if not rest or not parts:
            return {}
        if not parts[0][0]:
            if not rest.startswith(parts[0][1]):
                return {}
            rest = rest[len(parts[0][1]):]
            parts = parts[1:]
        found: dict[str, str] = {}
        while parts:
            name = parts[0][1]
            if len(parts) == 1:
                if name != "_":
                    found[name] = rest
                return found
            literal = parts[1][1]
            parts = parts[2:]
            i = rest.find(literal)
            if i < 0:
                if name != "_":
                    found[name] = rest
                return found
            if name != "_":
                found[name] = rest[:i]
            rest = rest[i + len(literal):]
        return found


    def test(self, line: str) -> bool:
        """Loki's pattern line filter (``|> "<_> error <_>"``): literals found in order, each first
        occurrence; captures may not be empty; the line ends where the pattern does."""
        if not line or not self.parts:
            return not line and not self.parts
        off = 0
        for i, (is_capture, text) in enumerate(self.parts):
            if is_capture:
                continue
            j = line.find(text, off)
            if j < 0 or (i != 0 and j == off):
                return False
            off = j + len(text)
        return self.parts[-1][0] == (off != len(line))


def compile_line_pattern(text: str) -> CompiledPattern:
    """A pattern for ``|>``/``!>``: any captures (usually ``<_>``), none required."""
    return CompiledPattern(_parts(text))


def _parts(text: str) -> tuple[tuple[bool, str], ...]:
    parts: list[tuple[bool, str]] = []
    pos = 0
    for m in _CAPTURE.finditer(text):
        if m.start() > pos:
            parts.append((False, text[pos:m.start()]))
        elif parts and parts[-1][0]:
            raise PatternError(f"found consecutive captures '<{parts[-1][1]}>' and '{m.group()}'")
        parts.append((True, m.group(1)))
        pos = m.end()
    if pos < len(text):
        parts.append((False, text[pos:]))
    if not parts:
        raise PatternError("the pattern is empty")
    return tuple(parts)


def compile_pattern(text: str) -> CompiledPattern:
    parts = _parts(text)
    names = [n for is_cap, n in parts if is_cap and n != "_"]
    if not names:
        raise PatternError("at least one named capture must be supplied")
    if len(set(names)) != len(names):
        raise PatternError("duplicate capture name")
    return CompiledPattern(tuple(parts))
