"""LogQL text → syntax tree. ``parse`` is the entry point; errors name line and column.

A hand-written recursive descent (precedence climbing for binary operators) rather than a
generated parser: LogQL's lexing is context-sensitive (``!=`` is a line filter after a selector
and a comparison between metrics) and hand-written rules give Loki-style messages cheaply.
"""

from __future__ import annotations

from meshscope.logql import metric_ast as m
from meshscope.logql import parse_log
from meshscope.logql.ast import LogQuery
from meshscope.logql.cursor import Cursor
from meshscope.logql.values import parse_go_duration


def parse(text: str) -> m.Expr:
    """A log query or a metric expression."""
    c = Cursor(text)
    if c.at("EOF"):
        c.error("syntax error: empty query")
    if c.at("{"):
        query = log_query(c)
        if c.at("["):
            c.fail("expecting a range aggregation around a range like [5m] (e.g. count_over_time(...))")
    else:
        query = _expr(c, 0)  # type: ignore[assignment]
    if not c.at("EOF"):
        c.fail("expecting end of query")
    return query


def parse_log_query(text: str) -> LogQuery:
    """A log query only (``/tail``, ``/series``-style callers)."""
    expr = parse(text)
    if not isinstance(expr, LogQuery):
        Cursor(text).error("parse error: a log query ({selector} | ...) is required here")
    return expr


def log_query(c: Cursor) -> LogQuery:
    return LogQuery(parse_log.selector(c), parse_log.stages(c))


def _expr(c: Cursor, min_prec: int) -> m.MetricExpr:
    left = _unary(c)
    while c.tok.kind in m.BINARY_PRECEDENCE or c.at_word(*m.SET_OPS):
        op = c.tok.text
        prec = m.BINARY_PRECEDENCE[op]
        if prec < min_prec:
            break
        op_token = c.take()
        bool_mod = c.accept_word("bool")
        if bool_mod and op not in m.COMPARISONS:
            c.error(f"bool modifier can only be used on comparison operators, not {op}", op_token)
        matching = _matching(c)
        right = _expr(c, prec if op == "^" else prec + 1)
        left = m.BinaryOp(op, left, right, bool_mod, matching)
    return left


def _matching(c: Cursor) -> m.VectorMatching | None:
    if not c.at_word("on", "ignoring"):
        return None
    on = c.take().text == "on"
    labels = c.label_list()
    group: str = ""
    include: tuple[str, ...] = ()
    if c.at_word("group_left", "group_right"):
        group = c.take().text.removeprefix("group_")
        include = c.label_list() if c.at("(") else ()
    return m.VectorMatching(on, labels, group, include)  # type: ignore[arg-type]


def _unary(c: Cursor) -> m.MetricExpr:
    if c.at("-", "+"):
        sign = c.take().kind
        inner = _unary(c)
        if sign == "+":
            return inner
        if isinstance(inner, m.NumberLiteral):
            return m.NumberLiteral(-inner.value)
        return m.BinaryOp("*", m.NumberLiteral(-1.0), inner)
    return _primary(c)


def _primary(c: Cursor) -> m.MetricExpr:
    if c.accept("("):
        inner = _expr(c, 0)
        c.expect(")", "')'")
        return inner
    if c.at("NUMBER"):
        text = c.take().text
        return m.NumberLiteral(float(int(text, 16)) if "x" in text.lower() else float(text))
    if c.at("{"):
        c.error("syntax error: a log query cannot be part of a metric expression; wrap it in a range "
                "aggregation like count_over_time({...}[5m])")
    if c.at_word("vector") and c.ahead().kind == "(":
        c.take()
        c.take()
        sign = -1.0 if c.accept("-") else 1.0
        value = sign * float(c.expect("NUMBER", "a number").text)
        c.expect(")", "')'")
        return m.VectorLiteral(value)
    if c.at_word("label_replace") and c.ahead().kind == "(":
        return _label_replace(c)
    if c.at("IDENT") and c.tok.text in m.VECTOR_OPS:
        return _vector_aggregation(c)
    if c.at("IDENT") and (c.tok.text in m.RANGE_OPS or c.tok.text in m.UNWRAP_OPS):
        return _range_aggregation(c)
    c.fail("expecting a metric expression (an aggregation, a number or '(')")


def _label_replace(c: Cursor) -> m.LabelReplace:
    c.take()
    c.expect("(")
    inner = _expr(c, 0)
    args = []
    for what in ("destination label", "replacement", "source label", "regular expression"):
        c.expect(",", "','")
        args.append(c.expect("STRING", f"the {what} as a string"))
    c.expect(")", "')'")
    c.regex(args[3])
    return m.LabelReplace(inner, *(a.value for a in args))


def _grouping(c: Cursor) -> m.Grouping | None:
    if c.at_word("by", "without"):
        without = c.take().text == "without"
        return m.Grouping(without, c.label_list())
    return None


def _vector_aggregation(c: Cursor) -> m.VectorAggregation:
    name = c.take()
    grouping = _grouping(c)
    c.expect("(", f"'(' after {name.text}")
    param = None
    if name.text in ("topk", "bottomk", "approx_topk"):
        token = c.expect("NUMBER", f"the number of series as the first argument of {name.text}")
        param = float(token.text)
        if param < 1 or not param.is_integer():
            c.error(f"invalid parameter for {name.text}: must be a positive integer", token)
        c.expect(",", "','")
    inner = _expr(c, 0)
    c.expect(")", "')'")
    after = _grouping(c)
    if grouping and after:
        c.error("syntax error: grouping given twice")
    if name.text in ("sort", "sort_desc") and (grouping or after):
        c.error(f"grouping not allowed for {name.text} aggregation", name)
    return m.VectorAggregation(name.text, inner, grouping or after, param)


def _range_aggregation(c: Cursor) -> m.RangeAggregation:
    name = c.take()
    c.expect("(", f"'(' after {name.text}")
    param = None
    if name.text == "quantile_over_time":
        param = float(c.expect("NUMBER", "the quantile as the first argument").text)
        c.expect(",", "','")
    query, unwrap, range_ns, offset_ns = _log_range(c)
    c.expect(")", "')' to close the range aggregation")
    grouping = _grouping(c)
    if unwrap is None and name.text not in m.RANGE_OPS:
        c.error(f"invalid aggregation {name.text} without unwrap", name)
    if unwrap is not None and name.text not in m.UNWRAP_OPS:
        c.error(f"invalid aggregation {name.text} with unwrap", name)
    if grouping and unwrap is None:
        c.error(f"grouping not allowed for {name.text} aggregation", name)
    return m.RangeAggregation(name.text, query, range_ns, offset_ns, unwrap, param, grouping)


def _log_range(c: Cursor) -> tuple[LogQuery, m.Unwrap | None, int, int]:
    wrapped = c.accept("(")
    matchers = parse_log.selector(c)
    range_ns = _range(c) if c.at("[") and not wrapped else None
    stages = parse_log.stages(c)
    unwrap = parse_log.unwrap(c) if c.at("|") else None
    if wrapped:
        c.expect(")", "')'")
    if range_ns is None:
        range_ns = _range(c)
    offset_ns = 0
    if c.accept_word("offset"):
        offset_ns = parse_go_duration(c.expect("DURATION", "a duration after offset").text)
    return LogQuery(matchers, stages), unwrap, range_ns, offset_ns


def _range(c: Cursor) -> int:
    c.expect("[", "a range like [5m]")
    token = c.expect("DURATION", "a duration like 5m")
    c.expect("]", "']'")
    value = parse_go_duration(token.text)
    if value <= 0:
        c.error("range must be positive", token)
    return value
