"""Which stages become SQL, and the SQL they become."""

from __future__ import annotations

import pytest

from meshscope.logql.ast import LogQuery
from meshscope.logql.parser import parse
from meshscope.logql.sqlgen import filter_sql, split_stages, sql_only, where_sql
from meshscope.logql.tokens import regex_tokens, whole_tokens


def query(text: str) -> LogQuery:
    q = parse(text)
    assert isinstance(q, LogQuery)
    return q


@pytest.mark.parametrize(
    "literal,tokens",
    [
        ("error", []),
        ("an error", []),
        (" error ", ["error"]),
        ("user=bob id=42 ", ["bob", "id", "42"]),
        ("GET /api/v1/items", ["api", "v1"]),
        ("trace=ABC-def", ["ABC"]),
        ("a Foo foo Foo b", ["Foo", "foo"]),
        ("é x é", ["x"]),
        ("éx ", []),
    ],
)
def test_whole_tokens_are_only_those_bounded_inside_the_literal(literal: str, tokens: list[str]) -> None:
    assert whole_tokens(literal) == tokens


@pytest.mark.parametrize(
    "text,in_sql,in_python",
    [
        ('{a="b"} |= "x" !~ "y"', 2, 0),
        ('{a="b"} |= "x" | drop __error__ | level="warn" | json | level="info"', 2, 2),
        ('{a="b"} | status > 400', 0, 1),
        ('{a="b"} | x="1" or y=~"2.*" | line_format "{{.x}}" |= "z"', 1, 2),
        ('{a="b"} | drop pod', 0, 1),
    ],
)
def test_split_between_sql_and_python(text: str, in_sql: int, in_python: int) -> None:
    sql, python = split_stages(query(text))
    assert (len(sql), len(python)) == (in_sql, in_python)
    assert sql_only(query(text)) == (in_python == 0)


def test_where_clause() -> None:
    where = where_sql(query('{service_name="api", env=~"p.*"} |= "code=500 " != "x" | trace_id="ab"'), "T")
    assert where.startswith("service_name = 'api' AND ")
    assert "match(labels['env'], '^(?:p.*)$')" in where and " AND T AND " in where
    assert "(hasToken(body, '500') AND position(body, 'code=500 ') > 0)" in where
    assert "position(body, 'x') = 0" in where
    assert "if(trace_id != '', trace_id" in where


@pytest.mark.parametrize(
    "text,substring,parsed",
    [  # substring: conditions "the value is in the line"; parsed: the exact condition for plain lines
        ('{a="b"} | json | level="error"', 1, True),
        ('{a="b"} | json | level="error" or x=~"y"', 0, True),
        ('{a="b"} | json | level="error" and x="1", y!="2"', 1, True),
        ('{a="b"} | json | level=""', 0, True),
        ('{a="b"} | json | msg="say \\"hi\\""', 0, True),
        ('{a="b"} | json | status >= 500 | took > 1s', 0, True),
        ('{a="b"} | json | took > 1s | status >= 500', 0, False),
        ('{a="b"} | line_format "{{.x}}" | logfmt | level="error"', 0, False),
        ('{a="b"} | json p="a.b" | p="1"', 0, False),
        ('{a="b"} | logfmt | a="1" | decolorize | logfmt | b="2"', 1, True),
    ],
)
def test_prefilters(text: str, substring: int, parsed: bool) -> None:
    from meshscope.logql.prefilter import prefilter_sql

    conditions = prefilter_sql(query(text))
    assert len(conditions) == substring + parsed
    assert sum("position(body, '\\\\') > 0 OR" in c for c in conditions) == substring
    assert sum(" OR NOT (position(body, '\\\\') = 0" in c for c in conditions) == parsed


@pytest.mark.parametrize(
    "selector,sql",
    [
        ('{a=~".+"}', "labels['a'] != ''"),
        ('{a!~".*", b="c"}', "NOT (1) AND labels['b'] = 'c'"),
        ('{a=~"x|y-1|z z"}', "labels['a'] IN ('x', 'y-1', 'z z')"),
        ('{a!~"x.*", b="c"}', "NOT (match(labels['a'], '^(?:x.*)$'))"),
    ],
)
def test_selector_regexes(selector: str, sql: str) -> None:
    assert where_sql(query(selector), "T").startswith(sql)


def test_line_filters_run_in_prewhere_and_label_matchers_after() -> None:
    clause = filter_sql(query('{app="x"} |= "timeout" | level="error"'), "1")
    prewhere, where = clause.split(" WHERE ")
    assert prewhere.startswith("PREWHERE ") and "position(body, 'timeout')" in prewhere
    assert "labels['app']" in where and "labels['level']" in where and "body" not in where
    assert filter_sql(query('{app="x"}'), "1").startswith("WHERE 1 AND ")


@pytest.mark.parametrize("pipeline,sql", [
    ('|~ "error|timeout"', "multiSearchAny(body, ['error', 'timeout'])"),
    ('|~ "timeout"', "position(body, 'timeout') > 0"),
    ('|~ "time.ut"', "match(body, 'time.ut')"),
])
def test_plain_word_regexes_become_substring_searches(pipeline: str, sql: str) -> None:
    assert sql in filter_sql(query('{app="x"} ' + pipeline), "1")


def test_pattern_literals_whole_tokens_go_first() -> None:
    where = filter_sql(query('{app="x"} |> "<_> GET <_> user=<_> "'), "1")
    assert "hasToken(body, 'GET') AND hasToken(body, 'user') AND body != ''" in where
    assert "hasToken" not in filter_sql(query('{app="x"} |> "<_>GET<_>"'), "1")


@pytest.mark.parametrize(
    "pattern,tokens",
    [
        ("status=5.. took=14[0-9]{2}ms", ["took"]),  # runs "status=5", " took=14", "ms"
        ("user_id=4[0-9]{3}\\b", ["id"]),
        ("(?i)user_id=4", []),  # hasToken is case-sensitive
        ("a(-bcd-)+e", ["bcd"]),  # a group repeated at least once is in every match
        ("a(-bcd-)*e", []),
        ("x(-abc-|-def-)y", []),  # either branch: neither token is certain
        ("(?P<k>-key-)=", ["key"]),
        ("(?<k>-key-)=", ["key"]),
        ("[[:alpha:]]+ -word- ", []),  # Python would read a nested set here: nothing
        ("(", []),
    ],
)
def test_regex_tokens_are_in_every_match(pattern: str, tokens: list[str]) -> None:
    assert regex_tokens(pattern) == tokens


def test_regex_filter_tests_its_tokens_first() -> None:
    where = filter_sql(query('{app="x"} |~ "status=5.. took=14[0-9]{2}ms"'), "1")
    assert "(hasToken(body, 'took') AND match(body, 'status=5.. took=14[0-9]{2}ms'))" in where
