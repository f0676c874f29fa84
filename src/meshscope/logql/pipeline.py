"""Log pipeline stages that run in Python on fetched rows: one small function per stage type.

:func:`compile_stages` turns AST stages into callables ``entry -> keep?`` that mutate the entry
(line and labels) as Loki's ``LabelsBuilder`` does; errors become ``__error__`` labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import singledispatch

from meshscope.logql import ast
from meshscope.logql.cursor import go_regex
from meshscope.logql.ip_match import ip_matcher, line_has
from meshscope.logql.line_parsers import PARSERS, ParseFailure
from meshscope.logql.pattern import compile_line_pattern
from meshscope.logql.template import TemplateError, parse_template
from meshscope.logql.template_funcs import RenderContext, render
from meshscope.logql.values import parse_bytes, parse_go_duration, parse_number

ERROR = "__error__"
ERROR_DETAILS = "__error_details__"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


@dataclass
class Entry:
    """One log line going through the pipeline. ``meta`` (structured metadata) is read-only."""

    ts: int
    line: str
    labels: dict[str, str]
    meta: dict[str, str] = field(default_factory=dict)
    stream_keys: frozenset[str] = frozenset()

    def get(self, name: str) -> str | None:
        value = self.labels.get(name)
        return value if value is not None else self.meta.get(name)

    def set_error(self, error: str, details: str) -> None:
        if ERROR not in self.labels:
            self.labels[ERROR] = error
            self.labels[ERROR_DETAILS] = details

    def merge(self, found: dict[str, str]) -> None:
        for key, value in found.items():
            self.labels[key + "_extracted" if key in self.stream_keys else key] = value


StageFn = Callable[[Entry], bool]


def compile_stages(stages: tuple[ast.Stage, ...]) -> list[StageFn]:
    return [stage_fn(s) for s in stages]


def run(stages: list[StageFn], entry: Entry) -> bool:
    return all(fn(entry) for fn in stages)


@singledispatch
def stage_fn(stage: object) -> StageFn:
    raise TypeError(f"no pipeline stage for {type(stage).__name__}")


def string_match(op: str, expected: str) -> Callable[[str], bool]:
    """A Prometheus-style matcher on a value (regexes anchored)."""
    if op in ("=", "!="):
        return (lambda v: v == expected) if op == "=" else (lambda v: v != expected)
    rx = re.compile(go_regex(expected))
    return (lambda v: rx.fullmatch(v) is not None) if op == "=~" else (lambda v: rx.fullmatch(v) is None)


@stage_fn.register
def _line_filter(stage: ast.LineFilter) -> StageFn:
    if stage.op in ("|=", "!="):
        pats = stage.patterns
        found: Callable[[str], bool] = lambda line: any(p in line for p in pats)  # noqa: E731
    elif stage.op in ("|>", "!>"):
        compiled = [compile_line_pattern(p) for p in stage.patterns]
        found = lambda line: any(p.test(line) for p in compiled)  # noqa: E731
    else:
        rxs = [re.compile(go_regex(p)) for p in stage.patterns]
        found = lambda line: any(rx.search(line) for rx in rxs)  # noqa: E731
    negate = stage.op in ("!=", "!~", "!>")
    return lambda e: found(e.line) != negate


@stage_fn.register
def _ip_line_filter(stage: ast.IpLineFilter) -> StageFn:
    matches = ip_matcher(stage.pattern)
    return lambda e: line_has(matches, e.line) != stage.negate


@stage_fn.register
def _label_filter(stage: ast.LabelFilter) -> StageFn:
    return filter_fn(stage.expr)


@singledispatch
def filter_fn(expr: object) -> StageFn:
    raise TypeError(f"no label filter for {type(expr).__name__}")


@filter_fn.register
def _ip_filter(expr: ast.IpFilter) -> StageFn:
    matches = ip_matcher(expr.pattern)
    name, negate = expr.name, expr.op == "!="
    return lambda e: matches(e.get(name) or "") != negate


@filter_fn.register
def _string_filter(expr: ast.StringFilter) -> StageFn:
    match = string_match(expr.op, expr.value)
    name = expr.name
    return lambda e: match(e.get(name) or "")


_CONVERT: dict[str, Callable[[str], float]] = {
    "number": parse_number, "duration": lambda v: parse_go_duration(v) / 1e9, "bytes": lambda v: float(parse_bytes(v)),
}
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
}


@filter_fn.register
def _number_filter(expr: ast.NumberFilter) -> StageFn:
    convert, compare = _CONVERT[expr.kind], _COMPARE[expr.op]

    def keep(e: Entry) -> bool:
        if ERROR in e.labels:
            return True  # only string matchers can filter errored lines out (as in Loki)
        raw = e.get(expr.name)
        if raw is None:
            return False
        try:
            value = convert(raw)
        except ValueError as exc:
            e.set_error("LabelFilterErr", str(exc))
            return True
        return compare(value, expr.value)
    return keep


@filter_fn.register
def _and(expr: ast.FilterAnd) -> StageFn:
    left, right = filter_fn(expr.left), filter_fn(expr.right)
    return lambda e: (left(e) & right(e))  # both run, as in Loki


@filter_fn.register
def _or(expr: ast.FilterOr) -> StageFn:
    left, right = filter_fn(expr.left), filter_fn(expr.right)
    return lambda e: left(e) or right(e)


def _parser_stage(stage: object) -> StageFn:
    extract = PARSERS[type(stage)](stage)

    def apply(e: Entry) -> bool:
        try:
            found = extract(e.line)
        except ParseFailure as exc:
            e.set_error(exc.error, exc.details)
            return True
        entry_line = found.pop("_entry", None) if isinstance(stage, ast.UnpackParser) else None
        e.merge(found)
        if entry_line is not None:
            e.line = entry_line
        return True
    return apply


for _parser_type in PARSERS:
    stage_fn.register(_parser_type, _parser_stage)


def _render(template: str, e: Entry) -> str:
    ctx = RenderContext({**e.meta, **e.labels}, e.line, e.ts)
    try:
        return render(parse_template(template), ctx)
    except (TemplateError, ValueError, ZeroDivisionError) as exc:
        e.set_error("TemplateFormatErr", str(exc))
        return e.line


@stage_fn.register
def _line_format(stage: ast.LineFormat) -> StageFn:
    def apply(e: Entry) -> bool:
        e.line = _render(stage.template, e)
        return True
    return apply


@stage_fn.register
def _label_format(stage: ast.LabelFormat) -> StageFn:
    def apply(e: Entry) -> bool:
        # every item sees the labels as they were before this stage, as in Loki
        values = [_render(i.value, e) if i.is_template else e.get(i.value) for i in stage.items]
        for item, value in zip(stage.items, values, strict=True):
            if not item.is_template:
                e.labels.pop(item.value, None)
            if value is not None:
                e.labels[item.dst] = value
        return True
    return apply


@stage_fn.register
def _drop_keep(stage: ast.DropKeep) -> StageFn:
    names = {i for i in stage.items if isinstance(i, str)}
    matchers = [(i.name, string_match(i.op, i.value)) for i in stage.items if isinstance(i, ast.StringFilter)]

    def listed(name: str, value: str) -> bool:
        return name in names or any(n == name and match(value) for n, match in matchers)

    def apply(e: Entry) -> bool:
        for name, value in list(e.labels.items()):
            if listed(name, value) != stage.keep:
                del e.labels[name]
        return True
    return apply


@stage_fn.register
def _decolorize(_: ast.Decolorize) -> StageFn:
    def apply(e: Entry) -> bool:
        e.line = _ANSI.sub("", e.line)
        return True
    return apply
