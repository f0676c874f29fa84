"""LogQL tokens with their line and column, and the position-naming parse error.

Numbers with a unit are one token (``5m`` a duration, ``10KB`` a size), as in Loki's lexer, so
``[5m]`` and ``size > 10KB`` need no look-ahead in the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from meshscope.errors import BadData

OPERATORS = ("|=", "|~", "|>", "!>", "!=", "!~", "=~", "==", ">=", "<=", "{", "}", "(", ")", "[", "]", ",", "|",
             "=", ">", "<", "+", "-", "*", "/", "%", "^")
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y))+")
_BYTES = re.compile(r"\d+(?:\.\d+)?(?:[kKmMgGtTpPeE]i?)?[bB]")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?![a-zA-Zµ])")
_WITH_UNIT = re.compile(r"\d+(?:\.\d+)?[a-zA-Zµ][a-zA-Zµ0-9.]*")
_IDENT = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_FLAG = re.compile(r"--[a-z][a-z-]*")
_GO_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}


class LogQLParseError(BadData):
    """A syntax error at a place in the query (Loki's wording: ``parse error at line 1, col 12: ...``)."""

    def __init__(self, line: int, col: int, detail: str) -> None:
        super().__init__(f"parse error at line {line}, col {col}: {detail}")
        self.line, self.col, self.detail = line, col, detail


@dataclass(frozen=True)
class Token:
    kind: str  # the operator text itself, or STRING, NUMBER, DURATION, BYTES, IDENT, FLAG, EOF
    text: str
    value: str  # unquoted string, or the text
    line: int
    col: int

    def describe(self) -> str:
        return "end of input" if self.kind == "EOF" else repr(self.text)


def unquote_go(body: str, line: int, col: int) -> str:
    """The value of a Go double-quoted string body (escapes as ``strconv.Unquote`` reads them)."""
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt in _GO_ESCAPES:
            out.append(_GO_ESCAPES[nxt])
            i += 2
        elif nxt in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[nxt]
            digits = body[i + 2:i + 2 + width]
            if len(digits) != width or not re.fullmatch(r"[0-9a-fA-F]+", digits):
                raise LogQLParseError(line, col + i, f"invalid escape \\{nxt}{digits} in string")
            out.append(chr(int(digits, 16)))
            i += 2 + width
        elif re.fullmatch(r"[0-7]{3}", body[i + 1:i + 4]):
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
        else:
            raise LogQLParseError(line, col + i, f"invalid char escape \\{nxt} in string "
                                                     "(write \\\\ for a backslash, or use backticks)")
    return "".join(out)


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text`` followed by an EOF token."""
    tokens: list[Token] = []
    pos, line, line_start = 0, 1, 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            if text[pos] == "\n":
                line, line_start = line + 1, pos + 1
            pos += 1
        if pos < len(text) and text[pos] == "#":  # comment to end of line
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
            continue
        col = pos - line_start + 1
        if pos >= len(text):
            tokens.append(Token("EOF", "", "", line, col))
            return tokens
        token, pos = _next(text, pos, line, col)
        tokens.append(token)
        line_start, line = _advance_lines(token.text, pos, line, line_start)


def _advance_lines(text: str, end: int, line: int, line_start: int) -> tuple[int, int]:
    newlines = text.count("\n")
    if newlines:
        return end - (len(text) - text.rfind("\n") - 1), line + newlines
    return line_start, line


def _next(text: str, pos: int, line: int, col: int) -> tuple[Token, int]:
    c = text[pos]
    if c in "\"`":
        return _string(text, pos, line, col)
    for kind, rx in (("FLAG", _FLAG), ("DURATION", _DURATION), ("BYTES", _BYTES)):
        m = rx.match(text, pos)
        if m and not _continues(text, m.end()):
            return Token(kind, m.group(), m.group(), line, col), m.end()
    m = _WITH_UNIT.match(text, pos)
    if m and not _NUMBER.match(text, pos):
        raise LogQLParseError(line, col, f"syntax error: invalid duration or size {m.group()!r}")
    for kind, rx in (("NUMBER", _NUMBER), ("IDENT", _IDENT)):
        m = rx.match(text, pos)
        if m:
            return Token(kind, m.group(), m.group(), line, col), m.end()
    for op in OPERATORS:
        if text.startswith(op, pos):
            return Token(op, op, op, line, col), pos + len(op)
    raise LogQLParseError(line, col, f"syntax error: unexpected character {c!r}")


def _continues(text: str, end: int) -> bool:
    return end < len(text) and (text[end].isalnum() or text[end] == "_")


def _string(text: str, pos: int, line: int, col: int) -> tuple[Token, int]:
    quote_char = text[pos]
    if quote_char == "`":
        end = text.find("`", pos + 1)
        if end < 0:
            raise LogQLParseError(line, col, "syntax error: unterminated raw string")
        return Token("STRING", text[pos:end + 1], text[pos + 1:end], line, col), end + 1
    i = pos + 1
    while i < len(text) and text[i] != '"':
        if text[i] == "\n":
            break
        i += 2 if text[i] == "\\" else 1
    if i >= len(text) or text[i] != '"':
        raise LogQLParseError(line, col, "syntax error: unterminated string")
    value = unquote_go(text[pos + 1:i], line, col + 1)
    return Token("STRING", text[pos:i + 1], value, line, col), i + 1
