"""LogQL syntax tree: frozen values whose ``str()`` is valid LogQL (``parse(str(ast)) == ast``).

Log stages live here; metric nodes (range and vector aggregations, binary operations) are in
:mod:`.metric_ast`. Durations are integer nanoseconds so the engine never converts units.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal, NamedTuple

MatchOp = Literal["=", "!=", "=~", "!~"]
LineOp = Literal["|=", "!=", "|~", "!~", "|>", "!>"]
CompareOp = Literal["==", "!=", ">", ">=", "<", "<="]
ValueKind = Literal["number", "duration", "bytes"]


def quote(text: str) -> str:
    """A LogQL string literal (Go-style double quotes)."""
    return json.dumps(text, ensure_ascii=False)


def format_duration(ns: int) -> str:
    """``1h30m``-style text for a duration in nanoseconds (the shortest exact form)."""
    if ns == 0:
        return "0s"
    units = [("d", 86400 * 10**9), ("h", 3600 * 10**9), ("m", 60 * 10**9), ("s", 10**9), ("ms", 10**6),
             ("us", 10**3), ("ns", 1)]
    out, rest = "", ns
    for name, size in units:
        if rest >= size:
            out += f"{rest // size}{name}"
            rest %= size
    return out


@dataclass(frozen=True)
class Matcher:
    """One stream selector matcher: ``name op "value"``."""

    name: str
    op: MatchOp
    value: str

    def __str__(self) -> str:
        return f"{self.name}{self.op}{quote(self.value)}"


@dataclass(frozen=True)
class LineFilter:
    """``|= "a" or "b"``: a line passes when any pattern matches (all must be absent for ``!=``/``!~``)."""

    op: LineOp
    patterns: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.op} " + " or ".join(quote(p) for p in self.patterns)


class IpLineFilter(NamedTuple):
    """``|= ip("10.0.0.0/8")``: lines holding an IP address in the range (``!=``: holding none)."""

    negate: bool
    pattern: str

    def __str__(self) -> str:
        return ("!= " if self.negate else "|= ") + f"ip({quote(self.pattern)})"


@dataclass(frozen=True)
class StringFilter(Matcher):
    """``label op "text"`` in a pipeline: a matcher on the label's value where the line is."""


@dataclass(frozen=True)
class NumberFilter:
    """``label > 10``, ``latency >= 250ms``, ``size < 1KB``: the value in numbers, seconds or bytes."""

    name: str
    op: CompareOp
    value: float
    kind: ValueKind
    text: str  # as written, for printing

    def __str__(self) -> str:
        return f"{self.name}{self.op}{self.text}"


@dataclass(frozen=True)
class FilterAnd:
    left: LabelFilterExpr
    right: LabelFilterExpr

    def __str__(self) -> str:
        return f"({self.left} and {self.right})"


@dataclass(frozen=True)
class FilterOr:
    left: LabelFilterExpr
    right: LabelFilterExpr

    def __str__(self) -> str:
        return f"({self.left} or {self.right})"


@dataclass(frozen=True)
class IpFilter:
    """``addr = ip("192.168.0.0/16")``: the label's value is an IP address in the range (``!=``: is not)."""

    name: str
    op: Literal["=", "!="]
    pattern: str

    def __str__(self) -> str:
        return f"{self.name}{self.op}ip({quote(self.pattern)})"


LabelFilterExpr = StringFilter | NumberFilter | IpFilter | FilterAnd | FilterOr


@dataclass(frozen=True)
class LabelFilter:
    expr: LabelFilterExpr

    def __str__(self) -> str:
        return f"| {self.expr}"


@dataclass(frozen=True)
class JsonParser:
    """``| json`` or ``| json a="path.to[0]", b``: all fields flattened, or only the named ones."""

    params: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return "| json" + (" " + ", ".join(f"{k}={quote(v)}" for k, v in self.params) if self.params else "")


@dataclass(frozen=True)
class LogfmtParser:
    strict: bool = False
    keep_empty: bool = False
    params: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        flags = (" --strict" if self.strict else "") + (" --keep-empty" if self.keep_empty else "")
        params = " " + ", ".join(f"{k}={quote(v)}" for k, v in self.params) if self.params else ""
        return f"| logfmt{flags}{params}"


@dataclass(frozen=True)
class RegexpParser:
    pattern: str

    def __str__(self) -> str:
        return f"| regexp {quote(self.pattern)}"


@dataclass(frozen=True)
class PatternParser:
    pattern: str

    def __str__(self) -> str:
        return f"| pattern {quote(self.pattern)}"


@dataclass(frozen=True)
class UnpackParser:
    def __str__(self) -> str:
        return "| unpack"


@dataclass(frozen=True)
class LineFormat:
    template: str

    def __str__(self) -> str:
        return f"| line_format {quote(self.template)}"


@dataclass(frozen=True)
class LabelFormatItem:
    """``dst=src`` renames a label; ``dst="{{...}}"`` sets it from a template."""

    dst: str
    value: str
    is_template: bool

    def __str__(self) -> str:
        return f"{self.dst}={quote(self.value) if self.is_template else self.value}"


@dataclass(frozen=True)
class LabelFormat:
    items: tuple[LabelFormatItem, ...]

    def __str__(self) -> str:
        return "| label_format " + ", ".join(str(i) for i in self.items)


@dataclass(frozen=True)
class DropKeep:
    """``| drop a, b="x"`` / ``| keep a``: names, or matchers that apply only when the value matches."""

    keep: bool
    items: tuple[str | StringFilter, ...]

    def __str__(self) -> str:
        return f"| {'keep' if self.keep else 'drop'} " + ", ".join(str(i) for i in self.items)


@dataclass(frozen=True)
class Decolorize:
    def __str__(self) -> str:
        return "| decolorize"


Stage = (LineFilter | IpLineFilter | LabelFilter | JsonParser | LogfmtParser | RegexpParser | PatternParser
         | UnpackParser | LineFormat | LabelFormat | DropKeep | Decolorize)


@dataclass(frozen=True)
class LogQuery:
    """A stream selector and its pipeline: the part of LogQL that yields log lines."""

    matchers: tuple[Matcher, ...]
    stages: tuple[Stage, ...] = ()

    def __str__(self) -> str:
        selector = "{" + ", ".join(str(m) for m in self.matchers) + "}"
        return " ".join([selector, *(str(s) for s in self.stages)])
