"""LogQL parser: what each construct parses to, round trips, and errors that name the position."""

from __future__ import annotations

import pytest

from meshscope.errors import BadData
from meshscope.logql import ast as a
from meshscope.logql import metric_ast as m
from meshscope.logql.lexer import LogQLParseError
from meshscope.logql.parser import parse, parse_log_query

SEL = (a.Matcher("app", "=", "api"),)

PARSES = [
    ('{app="api"}', a.LogQuery(SEL)),
    (
        '{app="api", env!="dev", pod=~"api-.+", ns!~`kube.*`}',
        a.LogQuery(
            (
                a.Matcher("app", "=", "api"),
                a.Matcher("env", "!=", "dev"),
                a.Matcher("pod", "=~", "api-.+"),
                a.Matcher("ns", "!~", "kube.*"),
            )
        ),
    ),
    (
        '{app="api"} |= "err" != "debug" |~ "(?i)time.?out" !~ `\\d{3}`',
        a.LogQuery(
            SEL,
            (
                a.LineFilter("|=", ("err",)),
                a.LineFilter("!=", ("debug",)),
                a.LineFilter("|~", ("(?i)time.?out",)),
                a.LineFilter("!~", ("\\d{3}",)),
            ),
        ),
    ),
    ('{app="api"} |= "a" or "b"', a.LogQuery(SEL, (a.LineFilter("|=", ("a", "b")),))),
    ('{app="api"} | json', a.LogQuery(SEL, (a.JsonParser(),))),
    (
        '{app="api"} | json first="name.first", tag="tags[0]", level',
        a.LogQuery(SEL, (a.JsonParser((("first", "name.first"), ("tag", "tags[0]"), ("level", "level"))),)),
    ),
    ('{app="api"} | logfmt --strict --keep-empty', a.LogQuery(SEL, (a.LogfmtParser(True, True),))),
    (
        '{app="api"} | regexp "(?P<method>\\\\w+) (?P<path>\\\\S+)"',
        a.LogQuery(SEL, (a.RegexpParser("(?P<method>\\w+) (?P<path>\\S+)"),)),
    ),
    (
        '{app="api"} | pattern "<ip> - <_> \\"<method> <uri>\\""',
        a.LogQuery(SEL, (a.PatternParser('<ip> - <_> "<method> <uri>"'),)),
    ),
    ('{app="api"} | unpack | decolorize', a.LogQuery(SEL, (a.UnpackParser(), a.Decolorize()))),
    ('{app="api"} | level="error"', a.LogQuery(SEL, (a.LabelFilter(a.StringFilter("level", "=", "error")),))),
    (
        '{app="api"} | status >= 500',
        a.LogQuery(SEL, (a.LabelFilter(a.NumberFilter("status", ">=", 500.0, "number", "500")),)),
    ),
    (
        '{app="api"} | latency > 250ms',
        a.LogQuery(SEL, (a.LabelFilter(a.NumberFilter("latency", ">", 0.25, "duration", "250ms")),)),
    ),
    (
        '{app="api"} | size <= 1KiB',
        a.LogQuery(SEL, (a.LabelFilter(a.NumberFilter("size", "<=", 1024.0, "bytes", "1KiB")),)),
    ),
    (
        '{app="api"} | code = 200',
        a.LogQuery(SEL, (a.LabelFilter(a.NumberFilter("code", "==", 200.0, "number", "200")),)),
    ),
    (
        '{app="api"} | a="x" or b="y" and c="z"',
        a.LogQuery(
            SEL,
            (
                a.LabelFilter(
                    a.FilterOr(
                        a.StringFilter("a", "=", "x"),
                        a.FilterAnd(a.StringFilter("b", "=", "y"), a.StringFilter("c", "=", "z")),
                    )
                ),
            ),
        ),
    ),
    (
        '{app="api"} | (a="x" or b="y"), c=~"z.*"',
        a.LogQuery(
            SEL,
            (
                a.LabelFilter(
                    a.FilterAnd(
                        a.FilterOr(a.StringFilter("a", "=", "x"), a.StringFilter("b", "=", "y")),
                        a.StringFilter("c", "=~", "z.*"),
                    )
                ),
            ),
        ),
    ),
    (
        '{app="api"} | line_format "{{.level | ToUpper}} {{.msg}}"',
        a.LogQuery(SEL, (a.LineFormat("{{.level | ToUpper}} {{.msg}}"),)),
    ),
    (
        '{app="api"} | label_format lvl=level, who="{{.user}}@{{.host}}"',
        a.LogQuery(
            SEL,
            (
                a.LabelFormat(
                    (a.LabelFormatItem("lvl", "level", False), a.LabelFormatItem("who", "{{.user}}@{{.host}}", True))
                ),
            ),
        ),
    ),
    (
        '{app="api"} | drop pod, level="debug" | keep app, level',
        a.LogQuery(
            SEL, (a.DropKeep(False, ("pod", a.StringFilter("level", "=", "debug"))), a.DropKeep(True, ("app", "level")))
        ),
    ),
    ('count_over_time({app="api"}[5m])', m.RangeAggregation("count_over_time", a.LogQuery(SEL), 300 * 10**9)),
    (
        'rate({app="api"} |= "x" [1m] offset 1h)',
        m.RangeAggregation("rate", a.LogQuery(SEL, (a.LineFilter("|=", ("x",)),)), 60 * 10**9, 3600 * 10**9),
    ),
    ('bytes_rate(({app="api"})[30s])', m.RangeAggregation("bytes_rate", a.LogQuery(SEL), 30 * 10**9)),
    (
        'count_over_time({app="api"}[5m] | json)',
        m.RangeAggregation("count_over_time", a.LogQuery(SEL, (a.JsonParser(),)), 300 * 10**9),
    ),
    (
        'quantile_over_time(0.99, {app="api"} | logfmt | unwrap duration(took) | __error__="" [1m]) by (route)',
        m.RangeAggregation(
            "quantile_over_time",
            a.LogQuery(SEL, (a.LogfmtParser(),)),
            60 * 10**9,
            unwrap=m.Unwrap("took", "duration", (a.LabelFilter(a.StringFilter("__error__", "=", "")),)),
            param=0.99,
            grouping=m.Grouping(False, ("route",)),
        ),
    ),
    (
        'sum_over_time({app="api"} | json | unwrap bytes(size) [1h])',
        m.RangeAggregation(
            "sum_over_time", a.LogQuery(SEL, (a.JsonParser(),)), 3600 * 10**9, unwrap=m.Unwrap("size", "bytes")
        ),
    ),
    (
        'sum by (level) (count_over_time({app="api"}[1m]))',
        m.VectorAggregation(
            "sum", m.RangeAggregation("count_over_time", a.LogQuery(SEL), 60 * 10**9), m.Grouping(False, ("level",))
        ),
    ),
    (
        'avg(rate({app="api"}[1m])) without (pod)',
        m.VectorAggregation("avg", m.RangeAggregation("rate", a.LogQuery(SEL), 60 * 10**9), m.Grouping(True, ("pod",))),
    ),
    (
        'topk(3, rate({app="api"}[1m]))',
        m.VectorAggregation("topk", m.RangeAggregation("rate", a.LogQuery(SEL), 60 * 10**9), None, 3.0),
    ),
    ("vector(1)+vector(1)", m.BinaryOp("+", m.VectorLiteral(1.0), m.VectorLiteral(1.0))),
    (
        "1 + 2 * 3 ^ 2 ^ 2",
        m.BinaryOp(
            "+",
            m.NumberLiteral(1.0),
            m.BinaryOp(
                "*",
                m.NumberLiteral(2.0),
                m.BinaryOp("^", m.NumberLiteral(3.0), m.BinaryOp("^", m.NumberLiteral(2.0), m.NumberLiteral(2.0))),
            ),
        ),
    ),
    (
        'rate({app="api"}[1m]) > bool 2',
        m.BinaryOp(">", m.RangeAggregation("rate", a.LogQuery(SEL), 60 * 10**9), m.NumberLiteral(2.0), True),
    ),
    (
        'rate({app="api"}[1m]) / on (pod) group_left (team) rate({app="api"}[1m])',
        m.BinaryOp(
            "/",
            m.RangeAggregation("rate", a.LogQuery(SEL), 60 * 10**9),
            m.RangeAggregation("rate", a.LogQuery(SEL), 60 * 10**9),
            False,
            m.VectorMatching(True, ("pod",), "left", ("team",)),
        ),
    ),
    ("-1 - -2", m.BinaryOp("-", m.NumberLiteral(-1.0), m.NumberLiteral(-2.0))),
]


@pytest.mark.parametrize("text,expected", PARSES, ids=[t for t, _ in PARSES])
def test_parses_to(text: str, expected: object) -> None:
    assert parse(text) == expected


ROUND_TRIP = [t for t, _ in PARSES] + [
    '{app="api"} | json | status >= 500 and latency > 1s or size > 10MB'
    ' | line_format "{{ if .err }}E{{ else }}ok{{ end }}"',
    'sum by (service_name, level) (count_over_time({app="api"} |= "error" | logfmt | level=~"warn|error" [5m]))',
    'bottomk(2, sum without (pod) (bytes_over_time({app="api"}[10m] offset 5m)))',
    'absent_over_time({app="nope"}[1m]) or vector(0)',
    'max_over_time({app="api"} | json | unwrap latency | __error__="" [1m]) by (route) and on () vector(1)',
    'stddev(rate({app="api"}[1m])) + stdvar(rate({app="api"}[1m])) unless count(rate({app="api"}[1m]))',
    'sum(rate({app="api"}[1m])) / ignoring (x) group_right sum(rate({app="api"}[1m])) == 0.5',
    '{app="api"} | label_format a="{{ __line__ | trunc 3 }}" | drop __error__, __error_details__',
    'first_over_time({app="api"} | logfmt | unwrap v [1m]) - last_over_time({app="api"} | logfmt | unwrap v [1m])',
    'label_replace(sum by (pod) (rate({app="api"}[1m])), "short", "$1", "pod", "api-(.*)") > 1',
    '{app="api"} |> "<_> error <_>" or "<_> warn" !> "<_>debug<_>" |= ip("10.0.0.0/8") != ip("::1")',
    '{app="api"} | logfmt | addr = ip("192.168.0.1-192.168.0.9") or addr != ip("fd00::/8")',
    'sort_desc(sum by (app) (rate({app="api"}[1m]))) or sort(approx_topk(3, rate({app="api"}[1m])))',
    '{app="api"} | decolorize != "x" | unpack |= "y"',
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_round_trip(text: str) -> None:
    tree = parse(text)
    assert parse(str(tree)) == tree


ERRORS = [
    ("", 1, 1, "empty query"),
    ('{app="api"', 1, 11, "expecting ',' or '}'"),
    ('{app="api"} |= ', 1, 16, "expecting a quoted string"),
    ('{app=~".*"}', 1, 1, "at least one regexp or equality matcher"),
    ('{app="api"} | status > "x"', 1, 24, "expecting a number, duration or size"),
    ('{app="api"} | regexp "(?P<x>"', 1, 22, "invalid regular expression"),
    ('{app="api"} | regexp "no groups"', 1, 22, "at least one named capture"),
    ('{app="api"} | pattern "<a><b>"', 1, 23, "consecutive captures"),
    ('{app="api"} | line_format "{{.a | nope}}"', 1, 27, 'function "nope" not defined'),
    ('{app="api"} | line_format "{{ if .a }}x"', 1, 27, "missing {{end}}"),
    ('{app="api"} | logfmt --loose', 1, 22, "unknown logfmt flag"),
    ('{app="api"}[5m]', 1, 12, "range aggregation"),
    ('count_over_time({app="api"})', 1, 28, "expecting a range like [5m]"),
    ('sum_over_time({app="api"}[5m])', 1, 1, "without unwrap"),
    ('count_over_time({app="api"} | unwrap x [5m])', 1, 1, "with unwrap"),
    ('count_over_time({app="api"}[5x])', 1, 29, "invalid duration"),
    ('sum(count_over_time({app="api"}[5m]) + {app="api"}', 1, 40, "cannot be part of a metric"),
    ('topk(count_over_time({app="api"}[5m]))', 1, 6, "number of series"),
    ("1 + bool 2", 1, 3, "bool modifier"),
    ('{app="api"} |~ "a(?=b)"', 1, 16, "not supported (RE2 syntax)"),
    ('{app=~"(a)\\\\1"}', 1, 7, "not supported (RE2 syntax)"),
    ('{app="api"} |= "a\\qb"', 1, 18, "invalid char escape"),
    ('{app="api"}\n  | json |', 2, 11, "expecting a parser"),
    ('rate({app="api"}[1m]) by (x)', 1, 1, "grouping not allowed"),
]


@pytest.mark.parametrize("text,line,col,fragment", ERRORS, ids=[e[0] or "empty" for e in ERRORS])
def test_errors_name_the_position(text: str, line: int, col: int, fragment: str) -> None:
    with pytest.raises(LogQLParseError) as info:
        parse(text)
    assert info.value.message.startswith(f"parse error at line {line}, col {col}: "), info.value.message
    assert fragment in info.value.message
    assert isinstance(info.value, BadData)


def test_log_query_required() -> None:
    assert parse_log_query('{app="api"} |= "x"') == a.LogQuery(SEL, (a.LineFilter("|=", ("x",)),))
    with pytest.raises(BadData):
        parse_log_query('rate({app="api"}[1m])')


def test_bare_stages_are_keywords_before_a_line_filter() -> None:
    tree = parse('{app="api"} | decolorize != "x"')
    assert isinstance(tree, a.LogQuery)
    assert tree.stages == (a.Decolorize(), a.LineFilter("!=", ("x",)))
