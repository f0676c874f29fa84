"""The Go ``text/template`` subset Loki users write in ``line_format`` and ``label_format``.

Supported: text, ``{{ .label }}``, ``{{ . }}``-free pipelines (``{{ .x | ToUpper | trunc 5 }}``),
function calls with literal, field and parenthesised arguments, ``if``/``else if``/``else``/``end``,
``{{- trim -}}`` markers and comments. Missing labels render empty (Loki's ``missingkey=zero``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from meshscope.logql.lexer import LogQLParseError, unquote_go


class TemplateError(ValueError):
    pass


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Arg, ...]


@dataclass(frozen=True)
class Pipeline:
    commands: tuple[Call | Arg, ...]


Arg = Field | Literal | Pipeline | Call


@dataclass(frozen=True)
class If:
    branches: tuple[tuple[Pipeline, tuple[Node, ...]], ...]
    otherwise: tuple[Node, ...]


Node = str | Pipeline | If

_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)
_TOKEN = re.compile(r'\s*(?:(\.[a-zA-Z_][a-zA-Z0-9_]*)|(")((?:[^"\\]|\\.)*)"|`([^`]*)`|'
                    r'(-?\d+(?:\.\d+)?)|([a-zA-Z_][a-zA-Z0-9_]*)|(\()|(\))|(\|))')


def _split(text: str) -> list[tuple[str, str]]:
    """(kind, content) pieces: ``text`` and ``action``, with ``{{-``/``-}}`` trimming applied."""
    parts: list[tuple[str, str]] = []
    pos = 0
    trim_next = False
    for m in _ACTION.finditer(text):
        chunk = text[pos:m.start()]
        chunk = chunk.lstrip() if trim_next else chunk
        parts.append(("text", chunk.rstrip() if m.group(1) else chunk))
        parts.append(("action", m.group(2).strip()))
        trim_next, pos = bool(m.group(3)), m.end()
    tail = text[pos:]
    if "{{" in tail:
        raise TemplateError("unclosed action: '{{' without '}}'")
    parts.append(("text", tail.lstrip() if trim_next else tail))
    return [p for p in parts if p != ("text", "")]


def _tokens(action: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(action.rstrip()):
        m = _TOKEN.match(action, pos)
        if not m or m.end() == pos:
            raise TemplateError(f"unexpected {action[pos:].strip()[:20]!r} in action {{{{{action}}}}}")
        if m.group(1):
            out.append(("field", m.group(1)[1:]))
        elif m.group(2):
            try:
                out.append(("lit", unquote_go(m.group(3), 1, 1)))
            except LogQLParseError as exc:
                raise TemplateError(exc.detail) from None
        elif m.group(4) is not None:
            out.append(("lit", m.group(4)))
        elif m.group(5):
            num = m.group(5)
            out.append(("lit", float(num) if "." in num else int(num)))
        elif m.group(6):
            word = m.group(6)
            out.append(("lit", word == "true") if word in ("true", "false") else ("ident", word))
        else:
            out.append((next(g for g in m.groups()[6:] if g), None))
        pos = m.end()
    return out


class _ActionParser:
    def __init__(self, action: str, functions: dict[str, Callable[..., Any]]) -> None:
        self.toks = _tokens(action)
        self.i = 0
        self.functions = functions

    def pipeline(self) -> Pipeline:
        commands: list[Call | Arg] = [self.command()]
        while self.i < len(self.toks) and self.toks[self.i][0] == "|":
            self.i += 1
            cmd = self.command()
            if not isinstance(cmd, Call):
                raise TemplateError("only a function can follow '|' in a pipeline")
            commands.append(cmd)
        return Pipeline(tuple(commands))

    def command(self) -> Call | Arg:
        if self.i >= len(self.toks):
            raise TemplateError("missing value in action")
        kind, value = self.toks[self.i]
        if kind == "ident":
            if value not in self.functions:
                raise TemplateError(f'function "{value}" not defined')
            self.i += 1
            args = []
            while self.i < len(self.toks) and self.toks[self.i][0] not in ("|", ")"):
                args.append(self.operand())
            return Call(value, tuple(args))
        return self.operand()

    def operand(self) -> Arg:
        kind, value = self.toks[self.i]
        self.i += 1
        if kind == "field":
            return Field(value)
        if kind == "lit":
            return Literal(value)
        if kind == "ident":
            if value not in self.functions:
                raise TemplateError(f'function "{value}" not defined')
            return Call(value, ())
        if kind == "(":
            inner = self.pipeline()
            if self.i >= len(self.toks) or self.toks[self.i][0] != ")":
                raise TemplateError("unclosed '(' in action")
            self.i += 1
            return inner
        raise TemplateError(f"unexpected {kind!r} in action")


def _parse_action(action: str) -> Pipeline:
    from meshscope.logql.template_funcs import FUNCTIONS

    p = _ActionParser(action, FUNCTIONS)
    pipe = p.pipeline()
    if p.i != len(p.toks):
        raise TemplateError(f"unexpected {p.toks[p.i][0]!r} in action {{{{{action}}}}}")
    return pipe


def _nodes(parts: list[tuple[str, str]], stop: tuple[str, ...]) -> tuple[tuple[Node, ...], str]:
    nodes: list[Node] = []
    while parts:
        kind, content = parts.pop(0)
        if kind == "text":
            nodes.append(content)
        elif content.startswith("/*"):
            continue
        elif content.split(" ", 1)[0] in ("else", "end"):
            if content.split(" ", 1)[0] not in stop:
                raise TemplateError(f"unexpected {{{{{content}}}}}")
            return tuple(nodes), content
        elif content.startswith("if ") or content == "if":
            nodes.append(_if(content[2:].strip(), parts))
        else:
            nodes.append(_parse_action(content))
    if stop:
        raise TemplateError("unexpected end of template: missing {{end}}")
    return tuple(nodes), ""


def _if(condition: str, parts: list[tuple[str, str]]) -> If:
    branches = []
    cond = condition
    while True:
        body, ended_by = _nodes(parts, ("else", "end"))
        branches.append((_parse_action(cond), body))
        if ended_by.startswith("else if "):
            cond = ended_by[len("else if "):].strip()
            continue
        if ended_by == "else":
            otherwise, _ = _nodes(parts, ("end",))
            return If(tuple(branches), otherwise)
        return If(tuple(branches), ())


@lru_cache(maxsize=512)
def parse_template(text: str) -> tuple[Node, ...]:
    """The template's nodes; raises :class:`TemplateError` with Go's wording where it can."""
    nodes, _ = _nodes(_split(text), ())
    return nodes
