"""A cursor over LogQL tokens: look, take, expect; every error names the token's position."""

from __future__ import annotations

import re
from typing import NoReturn

from meshscope.logql.lexer import LogQLParseError, Token, tokenize

_NOT_RE2 = re.compile(r"\(\?<?[=!]|(?<!\\)\\[1-9]")


def go_regex(pattern: str) -> str:
    """A Go RE2 pattern in Python's ``re`` spelling (named groups ``(?<n>`` become ``(?P<n>``)."""
    return re.sub(r"\(\?<([a-zA-Z_][a-zA-Z0-9_]*)>", r"(?P<\1>", pattern)


class Cursor:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def ahead(self, n: int = 1) -> Token:
        return self.tokens[min(self.i + n, len(self.tokens) - 1)]

    def at(self, *kinds: str) -> bool:
        return self.tok.kind in kinds

    def at_word(self, *words: str) -> bool:
        return self.tok.kind == "IDENT" and self.tok.text in words

    def take(self) -> Token:
        token = self.tok
        if token.kind != "EOF":
            self.i += 1
        return token

    def accept(self, kind: str) -> Token | None:
        return self.take() if self.at(kind) else None

    def accept_word(self, word: str) -> bool:
        if self.at_word(word):
            self.take()
            return True
        return False

    def expect(self, kind: str, what: str = "") -> Token:
        if not self.at(kind):
            self.fail(f"expecting {what or repr(kind)}")
        return self.take()

    def expect_word(self, word: str) -> Token:
        if not self.at_word(word):
            self.fail(f"expecting {word!r}")
        return self.take()

    def fail(self, expecting: str, token: Token | None = None) -> NoReturn:
        t = token or self.tok
        raise LogQLParseError(t.line, t.col, f"syntax error: unexpected {t.describe()}, {expecting}")

    def error(self, message: str, token: Token | None = None) -> NoReturn:
        t = token or self.tok
        raise LogQLParseError(t.line, t.col, message)

    def regex(self, token: Token) -> str:
        """The string of ``token`` after checking it is a valid RE2 regular expression (Go's, ClickHouse's)."""
        try:
            re.compile(go_regex(token.value))
        except re.error as exc:
            self.error(f"invalid regular expression {token.value!r}: {exc}", token)
        if _NOT_RE2.search(token.value):
            self.error(f"invalid regular expression {token.value!r}: lookarounds and backreferences are not "
                       "supported (RE2 syntax)", token)
        return token.value

    def label_list(self) -> tuple[str, ...]:
        """``(a, b, c)``; the parentheses may be empty."""
        self.expect("(", "'(' before the label list")
        names: list[str] = []
        while not self.at(")"):
            names.append(self.expect("IDENT", "a label name").text)
            if not self.accept(","):
                break
        self.expect(")", "',' or ')' in the label list")
        return tuple(names)
