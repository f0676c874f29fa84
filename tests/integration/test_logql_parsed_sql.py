"""``sum by (...) (count_over_time(... | json|logfmt | ...))`` counted in SQL must equal Python's answer.

The lines are edge cases: for JSON escapes, NaN, nesting, arrays, nulls, numbers and booleans as
written, invalid JSON, a field named like a stream label, keys that sanitise; for logfmt quotes
inside values, stray quotes, duplicates, empty and standalone keys, tabs and newlines.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from meshscope.config import RetentionSettings
from meshscope.logql.engine import LogQLEngine, RangeQuery
from meshscope.storage import migrate
from meshscope.storage.executor import open_executor
from meshscope.storage.sql import quote
from support.logs_corpus import base_ns

S = 10**9
LINES = [
    {"level": "info", "status": 200, "took": 1.50},
    {"level": "error", "status": 500, "user": {"id": 7}},
    {"level": "warn", "status": "500", "tags": ["a"], "ok": True},
    {"level": None, "status": 404, "env": "shadowed"},
    {"level": "info", "msg": 'quote " and slash \\ inside'},
    {"level": "err\u00f6r", "status": 500},
    {"lev-el": "x", "level": "debug", "ok": False},
    {"level": "info", "status": 201, "nested": {"level": "deep"}},
    {"level": "", "status": "", "took": "1.5s"},
    {"level": "warn", "status": "4e2", "took": -3},
]
RAW = [json.dumps(line, ensure_ascii=False) for line in LINES] + [
    '{"level": "info", "n": NaN}',
    "not json at all level=error",
    '["level", "error"]',
    '{"level": "\\u0065rror"}',
    '{"level":"info"} trailing',
    "",
]


LOGFMT = [
    "status=abc level=info",
    "took=0.5 status=-1",
    "level=info status=200 took=1.5s",
    'level=warn msg="a b=c" status=500',
    "level=error level=info status=500",
    'level="error" msg="x"',
    "level= status=404",
    "standalone level=debug",
    "level=info\tstatus=201\nx=1",
    'k=v"w level=error',
    'level=info msg="say \\"hi\\""',
    '"level"=error',
    "env=shadowed level=warn",
    "le-vel=x level=info",
    "status=500",
    'a="x"b level=warn',
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LogQLEngine, int]]:
    ex = open_executor("", Path(tmp_path_factory.mktemp("json")) / "chdb", "meshscope")
    migrate.apply(ex, RetentionSettings())
    base = base_ns()
    rows = [
        f"(fromUnixTimestamp64Nano(toInt64({base + (i + 1) * S})), 'svc', map('service_name', 'svc', 'env', "
        f"'prod'), {quote(body)}, {9 if i % 2 else 17}, map('level', 'fromattr'))"
        for i, body in enumerate(RAW)
    ]
    rows += [
        f"(fromUnixTimestamp64Nano(toInt64({base + (i + 1) * S})), 'kv', map('service_name', 'kv', 'env', "
        f"'prod'), {quote(body)}, {13 if i % 3 else 0}, map())"
        for i, body in enumerate(LOGFMT)
    ]
    ex.command(
        "INSERT INTO meshscope.logs (timestamp, service_name, labels, body, severity_number, attributes) "
        f"VALUES {', '.join(rows)}"
    )
    yield LogQLEngine(ex), base
    ex.close()


QUERIES = [
    'sum by (level) (count_over_time({service_name="svc"} | json [1m]))',
    'sum by (level, status) (count_over_time({service_name="svc"} | json | status="500" [1m]))',
    'sum by (ok) (bytes_over_time({env="prod"} | json | level!="info" [1m]))',
    'sum by (env, level) (rate({service_name="svc"} | json | __error__="" [1m]))',
    'sum by (level) (count_over_time({service_name="svc"} | json | __error__!="" [1m]))',
    'sum by (detected_level) (count_over_time({service_name="svc"} |= "level" | json | drop __error__ '
    '| level=~"i.*|e.*" [1m]))',
    'sum by (status) (count_over_time({service_name="svc"} | json | level="info" or status=~"5.." [90s]))',
    'sum by (level) (count_over_time({service_name="svc"} | json | status >= 404 [1m]))',
    'sum by (level) (count_over_time({service_name="svc"} | json | status == 500 or took < 2 [1m]))',
    'sum by (level) (count_over_time({service_name="svc"} | json | drop __error__ | status != 200 [1m]))',
    'sum by (level) (count_over_time({service_name="svc"} | json | status > 1 | __error__="" [1m]))',
]


QUERIES += [q.replace("| json", "| logfmt").replace('"svc"', '"kv"') for q in QUERIES]


@pytest.mark.parametrize("query", QUERIES)
def test_sql_counts_equal_python(engine: tuple[LogQLEngine, int], query: str) -> None:
    eng, base = engine
    forced_python = query.replace("| json", "| drop no_such_label | json").replace("| logfmt", "| drop x | logfmt")
    for step in (S * 30, S * 60):
        fast = eng.query_range(RangeQuery(query, base, base + 120 * S, step))
        slow = eng.query_range(RangeQuery(forced_python, base, base + 120 * S, step))
        assert fast["result"] == slow["result"]
        assert fast["result"] or ("logfmt" in query and '__error__!=""' in query)  # logfmt never fails


def test_plan_is_used(engine: tuple[LogQLEngine, int]) -> None:
    from meshscope.logql.parsed_sql import parsed_plan
    from meshscope.logql.parser import parse

    for text in QUERIES:
        eligible = parse(text)
        plan = parsed_plan(eligible.expr.query, eligible.grouping)  # type: ignore[union-attr]
        assert (plan is not None) == ("detected_level" not in text)  # names with '_' stay in Python
    for text in (
        'sum by (user_id) (count_over_time({a="b"} | json [1m]))',
        'sum without (x) (count_over_time({a="b"} | json [1m]))',
        'sum by (x) (count_over_time({a="b"} | json | took > 1s [1m]))',
        'sum by (x) (count_over_time({a="b"} | json x="y" [1m]))',
        'sum by (x) (count_over_time({a="b"} | logfmt --strict [1m]))',
        'sum by (x) (count_over_time({a="b"} | logfmt | line_format "{{.x}}" [1m]))',
    ):
        node = parse(text)
        assert parsed_plan(node.expr.query, node.grouping) is None  # type: ignore[union-attr]


def test_levels_by_hand(engine: tuple[LogQLEngine, int]) -> None:
    eng, base = engine
    data = eng.query_range(RangeQuery(QUERIES[0], base + 60 * S, base + 60 * S, 60 * S))
    got = {s["metric"].get("level", ""): s["values"][0][1] for s in data["result"]}
    # null, invalid JSON and non-objects fall back to the "level" attribute (structured metadata)
    assert got == {"info": "4", "error": "2", "warn": "2", "fromattr": "5", "errör": "1", "debug": "1", "": "1"}


def test_logfmt_levels_by_hand(engine: tuple[LogQLEngine, int]) -> None:
    eng, base = engine
    q = 'sum by (level) (count_over_time({service_name="kv"} | logfmt [1m]))'
    data = eng.query_range(RangeQuery(q, base + 60 * S, base + 60 * S, 60 * S))
    got = {s["metric"].get("level", ""): s["values"][0][1] for s in data["result"]}
    # duplicates: the last wins; '"level"=error' has a quoted key (sanitised to _level_): no level
    assert got == {"info": "6", "warn": "3", "error": "2", "debug": "1", "": "4"}


@pytest.mark.parametrize(
    "query",
    [
        '{service_name="svc"} | json | status >= 404',
        '{service_name="svc"} | json | status == 500 or level="info" | line_format "{{.level}} {{.status}}"',
        '{service_name="kv"} | logfmt | status > 100 | took > 1s',
        '{env="prod"} | logfmt | status != 500 | __error__=""',
    ],
)
def test_log_queries_with_parsed_prefilter(engine: tuple[LogQLEngine, int], query: str) -> None:
    eng, base = engine
    forced_python = query.replace("| json", "| drop x | json").replace("| logfmt", "| drop x | logfmt")
    fast = eng.query_range(RangeQuery(query, base, base + 120 * S, S, 1000, False))
    slow = eng.query_range(RangeQuery(forced_python, base, base + 120 * S, S, 1000, False))
    assert fast["result"] == slow["result"] and fast["result"]
