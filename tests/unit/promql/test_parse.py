"""Translation of promql-parser's tree into ours, its quirks, and parse errors."""

from __future__ import annotations

import pytest

from meshscope.promql import ast
from meshscope.promql.errors import ParseError
from meshscope.promql.matchers import LabelMatcher
from meshscope.promql.parse import parse_query


@pytest.mark.parametrize(("query", "expected"), [
    ("x", ast.VectorSelector("x", (LabelMatcher("__name__", "=", "x"),))),
    ('{__name__=~"a.*"}', ast.VectorSelector(None, (LabelMatcher("__name__", "=~", "a.*"),))),
    ("x offset -5m", ast.VectorSelector("x", (LabelMatcher("__name__", "=", "x"),), -300_000)),
    ("x @ 1.5", ast.VectorSelector("x", (LabelMatcher("__name__", "=", "x"),), 0, ast.At(time_ms=1500))),
    ("x @ -100.5", ast.VectorSelector("x", (LabelMatcher("__name__", "=", "x"),), 0, ast.At(time_ms=-100_500))),
    ("x @ end()", ast.VectorSelector("x", (LabelMatcher("__name__", "=", "x"),), 0, ast.At(edge="end"))),
    ("1 - -1", ast.Binary("-", ast.NumberLiteral(1.0), ast.NumberLiteral(-1.0), None)),
    ("-x", ast.Unary("-", ast.VectorSelector("x", (LabelMatcher("__name__", "=", "x"),)))),
    ("sum without (a) (1)", None),
])
def test_nodes(query: str, expected: ast.Expr | None) -> None:
    if expected is None:
        with pytest.raises(ParseError):
            parse_query(query)
    else:
        assert parse_query(query) == expected


def test_modifiers() -> None:
    node = parse_query("a / ignoring(b) group_left(c) sum by (d) (rate(e[5m:30s] offset 1m))")
    assert isinstance(node, ast.Binary)
    assert node.matching == ast.VectorMatching("many-to-one", False, ("b",), ("c",))
    agg = node.rhs
    assert isinstance(agg, ast.Aggregate) and agg.grouping == ("d",) and not agg.without
    call = agg.expr
    assert isinstance(call, ast.Call) and call.func == "rate"
    assert call.args[0] == ast.Subquery(parse_query("e"), 300_000, 30_000, 60_000)


def test_negative_at_inside_strings_is_left_alone() -> None:
    node = parse_query('x{a="@ -5"} @ -5')
    assert isinstance(node, ast.VectorSelector)
    assert node.matchers[1].value == "@ -5" and node.at == ast.At(time_ms=-5000)


def test_holt_winters_is_known() -> None:
    assert isinstance(parse_query("holt_winters(x[5m], 0.5, 0.5)"), ast.Call)


@pytest.mark.parametrize(("query", "message"), [
    ("sort_by_label(x)", 'unknown function with name "sort_by_label"'),
    ("limitk(1, x)", 'unknown aggregation operator "limitk"'),
    ("foo bar", '1:5: parse error: invalid promql query: unexpected "bar"'),
    ("sum(x", "1:6: parse error: unclosed left parenthesis"),
    ("rate(x)", "expected type matrix in call to function 'rate', got vector"),
    ("", "no expression found in input"),
])
def test_errors(query: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_query(query)
    assert message in str(info.value)
    assert info.value.error_type == "bad_data"


def test_transform_pins_selectors() -> None:
    pinned = ast.transform(parse_query("rate(x[5m]) + y"), lambda n: (
        ast.VectorSelector(n.name, n.matchers, n.offset_ms, ast.At(time_ms=1)) if isinstance(n, ast.VectorSelector)
        else None))
    assert [n.at for n in ast.walk(pinned) if isinstance(n, ast.VectorSelector)] == [ast.At(time_ms=1)] * 2
