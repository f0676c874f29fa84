"""Parsing the log part of LogQL: ``{selector} | stage | stage ...`` and ``| unwrap``."""

from __future__ import annotations

import re
from collections.abc import Callable

from meshscope.logql import ast
from meshscope.logql.cursor import Cursor, go_regex
from meshscope.logql.metric_ast import Unwrap
from meshscope.logql.template import TemplateError, parse_template
from meshscope.logql.values import parse_bytes, parse_go_duration

_MATCH_OPS = ("=", "!=", "=~", "!~")
_LINE_OPS = ("|=", "!=", "|~", "!~", "|>", "!>")
_COMPARE_OPS = ("==", "=", "!=", ">", ">=", "<", "<=")
_CONVERSIONS = ("duration", "duration_seconds", "bytes")


def _matches_empty(m: ast.Matcher) -> bool:
    if m.op in ("=", "!="):
        return (m.value == "") == (m.op == "=")
    found = re.fullmatch(go_regex(m.value), "") is not None
    return found == (m.op == "=~")


def selector(c: Cursor) -> tuple[ast.Matcher, ...]:
    start = c.expect("{", "'{' to start a stream selector")
    matchers: list[ast.Matcher] = []
    while not c.at("}"):
        name = c.expect("IDENT", "a label name").text
        if not c.at(*_MATCH_OPS):
            c.fail("expecting one of =, !=, =~, !~")
        op = c.take().kind
        value = c.expect("STRING", "a quoted label value")
        if op in ("=~", "!~"):
            c.regex(value)
        matchers.append(ast.Matcher(name, op, value.value))  # type: ignore[arg-type]
        if not c.accept(","):
            break
    c.expect("}", "',' or '}' in the stream selector")
    if not matchers or all(_matches_empty(m) for m in matchers):
        c.error("queries require at least one regexp or equality matcher that does not have an "
                "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, "
                "but app=~\".+\" will", start)
    return tuple(matchers)


def stages(c: Cursor) -> tuple[ast.Stage, ...]:
    """Stages up to the first token that is not one (``unwrap`` stops too: the caller handles it)."""
    out: list[ast.Stage] = []
    while True:
        if c.at(*_LINE_OPS):
            out.append(_line_filter(c))
        elif c.at("|") and not (c.ahead().kind == "IDENT" and c.ahead().text == "unwrap"):
            c.take()
            out.append(_stage(c))
        else:
            return tuple(out)


def _line_filter(c: Cursor) -> ast.LineFilter | ast.IpLineFilter:
    op = c.take().kind
    if op in ("|=", "!=") and c.at_word("ip") and c.ahead().kind == "(":
        return ast.IpLineFilter(op == "!=", _ip(c))
    patterns = [c.expect("STRING", "a quoted string after the line filter")]
    while c.at_word("or") and c.ahead().kind == "STRING":
        c.take()
        patterns.append(c.take())
    if op in ("|~", "!~"):
        for p in patterns:
            c.regex(p)
    if op in ("|>", "!>"):
        from meshscope.logql.pattern import PatternError, compile_line_pattern

        for p in patterns:
            try:
                compile_line_pattern(p.value)
            except PatternError as exc:
                c.error(f"invalid pattern: {exc}", p)
    return ast.LineFilter(op, tuple(p.value for p in patterns))  # type: ignore[arg-type]


def _ip(c: Cursor) -> str:
    """``ip("…")``: the range, checked now so a bad one is a parse error with its position."""
    from meshscope.logql.ip_match import IpPatternError, ip_matcher

    c.take()
    c.expect("(")
    token = c.expect("STRING", "a quoted IP address, CIDR range or address range")
    try:
        ip_matcher(token.value)
    except IpPatternError as exc:
        c.error(f"invalid ip filter: {exc}", token)
    c.expect(")", "')' to close ip(")
    return token.value


def _stage(c: Cursor) -> ast.Stage:
    bare = c.tok.text in ("decolorize", "unpack")  # keywords in Loki: `| decolorize != "x"` is a line filter after
    if c.at("IDENT") and c.tok.text in _STAGES and (bare or c.ahead().kind not in _MATCH_OPS + _COMPARE_OPS):
        return _STAGES[c.take().text](c)
    if c.at("IDENT", "("):
        return ast.LabelFilter(label_filter(c))
    c.fail("expecting a parser, a formatter or a label filter after '|'")


def _params(c: Cursor) -> tuple[tuple[str, str], ...]:
    params: list[tuple[str, str]] = []
    while c.at("IDENT") and c.ahead().kind in ("=", ",", "|", ")", "[", "EOF", "}"):
        name = c.take().text
        params.append((name, c.expect("STRING", "a quoted expression").value if c.accept("=") else name))
        if not c.accept(","):
            break
    return tuple(params)


def _json(c: Cursor) -> ast.Stage:
    return ast.JsonParser(_params(c))


def _logfmt(c: Cursor) -> ast.Stage:
    flags = set()
    while c.at("FLAG"):
        flag = c.take()
        if flag.text not in ("--strict", "--keep-empty"):
            c.error(f"unknown logfmt flag {flag.text} (use --strict or --keep-empty)", flag)
        flags.add(flag.text)
    return ast.LogfmtParser("--strict" in flags, "--keep-empty" in flags, _params(c))


def _regexp(c: Cursor) -> ast.Stage:
    token = c.expect("STRING", "a quoted regular expression")
    pattern = c.regex(token)
    if not re.compile(go_regex(pattern)).groupindex:
        c.error("at least one named capture must be supplied", token)
    return ast.RegexpParser(pattern)


def _pattern(c: Cursor) -> ast.Stage:
    from meshscope.logql.pattern import PatternError, compile_pattern

    token = c.expect("STRING", "a quoted pattern")
    try:
        compile_pattern(token.value)
    except PatternError as exc:
        c.error(f"invalid pattern: {exc}", token)
    return ast.PatternParser(token.value)


def _template(c: Cursor) -> str:
    token = c.expect("STRING", "a quoted template")
    try:
        parse_template(token.value)
    except TemplateError as exc:
        c.error(f"invalid template: {exc}", token)
    return token.value


def _line_format(c: Cursor) -> ast.Stage:
    return ast.LineFormat(_template(c))


def _label_format(c: Cursor) -> ast.Stage:
    items: list[ast.LabelFormatItem] = []
    while True:
        dst = c.expect("IDENT", "a label name").text
        c.expect("=", "'='")
        if c.at("STRING"):
            items.append(ast.LabelFormatItem(dst, _template(c), True))
        else:
            items.append(ast.LabelFormatItem(dst, c.expect("IDENT", "a label name or a template").text, False))
        if not c.accept(","):
            return ast.LabelFormat(tuple(items))


def _drop_keep(keep: bool) -> Callable[[Cursor], ast.Stage]:
    def parse(c: Cursor) -> ast.Stage:
        items: list[str | ast.StringFilter] = []
        while True:
            name = c.expect("IDENT", "a label name").text
            if c.at(*_MATCH_OPS):
                op = c.take().kind
                items.append(ast.StringFilter(name, op, c.expect("STRING", "a quoted value").value))  # type: ignore[arg-type]
            else:
                items.append(name)
            if not c.accept(","):
                return ast.DropKeep(keep, tuple(items))
    return parse


_STAGES: dict[str, Callable[[Cursor], ast.Stage]] = {
    "json": _json, "logfmt": _logfmt, "regexp": _regexp, "pattern": _pattern, "unpack": lambda c: ast.UnpackParser(),
    "line_format": _line_format, "label_format": _label_format, "drop": _drop_keep(False),
    "keep": _drop_keep(True), "decolorize": lambda c: ast.Decolorize(),
}


def label_filter(c: Cursor) -> ast.LabelFilterExpr:
    """``a="x" and (b > 1 or c=~"y")``; ``,`` and juxtaposition mean ``and``; ``and`` binds tighter."""
    left = _and_filter(c)
    while c.at_word("or"):
        c.take()
        left = ast.FilterOr(left, _and_filter(c))
    return left


def _and_filter(c: Cursor) -> ast.LabelFilterExpr:
    left = _filter_term(c)
    while c.at_word("and") or c.at(",") or (c.at("IDENT") and not c.at_word("or")
                                             and c.ahead().kind in _MATCH_OPS + _COMPARE_OPS):
        if not c.at("IDENT") or c.at_word("and"):
            c.take()
        left = ast.FilterAnd(left, _filter_term(c))
    return left


def _filter_term(c: Cursor) -> ast.LabelFilterExpr:
    if c.accept("("):
        inner = label_filter(c)
        c.expect(")", "')' to close the label filter")
        return inner
    name = c.expect("IDENT", "a label name").text
    if not c.at(*_COMPARE_OPS, "=~", "!~"):
        c.fail("expecting a comparison (=, !=, =~, !~, ==, >, >=, <, <=)")
    op = c.take().kind
    if op in ("=", "!=") and c.at_word("ip") and c.ahead().kind == "(":
        return ast.IpFilter(name, op, _ip(c))  # type: ignore[arg-type]
    if c.at("STRING"):
        if op not in _MATCH_OPS:
            c.fail(f"expecting a number, duration or size after {op}")
        token = c.take()
        if op in ("=~", "!~"):
            c.regex(token)
        return ast.StringFilter(name, op, token.value)  # type: ignore[arg-type]
    return _number_filter(c, name, "==" if op == "=" else op)


def _number_filter(c: Cursor, name: str, op: str) -> ast.NumberFilter:
    if op in ("=~", "!~"):
        c.fail("expecting a quoted regular expression")
    sign = "-" if c.accept("-") else ""
    token = c.take()
    text = sign + token.text
    if token.kind == "NUMBER":
        return ast.NumberFilter(name, op, float(int(text, 16) if "x" in text.lower() else float(text)),  # type: ignore[arg-type]
                                "number", text)
    if token.kind == "DURATION":
        return ast.NumberFilter(name, op, parse_go_duration(text) / 1e9, "duration", text)  # type: ignore[arg-type]
    if token.kind == "BYTES":
        return ast.NumberFilter(name, op, float(parse_bytes(text)), "bytes", text)  # type: ignore[arg-type]
    c.fail("expecting a string, number, duration or size", token)


def unwrap(c: Cursor) -> Unwrap:
    """``| unwrap [conv(]label[)]`` followed by label filters on the unwrapped samples."""
    c.expect("|")
    c.expect_word("unwrap")
    conversion = ""
    if c.at("IDENT") and c.tok.text in _CONVERSIONS and c.ahead().kind == "(":
        conversion = c.take().text
        c.expect("(")
        label = c.expect("IDENT", "a label name").text
        c.expect(")", "')'")
    else:
        label = c.expect("IDENT", "a label name to unwrap").text
    filters: list[ast.LabelFilter] = []
    while c.at("|") and c.ahead().kind in ("IDENT", "("):
        c.take()
        filters.append(ast.LabelFilter(label_filter(c)))
    return Unwrap(label, conversion, tuple(filters))  # type: ignore[arg-type]
