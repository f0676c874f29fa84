"""Loki 3.x LogQL features on real chDB: pattern line filters, ``ip()`` filters, ``sort``/``sort_desc``,
``approx_topk``. Expected lines are written out by hand from the corpus below.

Each filter runs twice: first as a leading stage (SQL where it can), then in Python (after
``| line_format "{{__line__}}"``, which keeps lines as they are but ends the SQL part), and both
must give the same lines.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from meshscope.errors import BadData
from meshscope.logql.engine import LogQLEngine
from support.log_table import Row, engine_over, lines_found, recent_base

S = 10**9
BASE = recent_base()
LINES = [
    ("api", "10.0.0.5 GET /items 200", "10.0.0.5"),
    ("api", "10.1.2.3:8080 POST /orders 500", "10.1.2.3"),
    ("api", "192.168.1.20 GET /health 200", "192.168.1.20"),
    ("api", "from 2001:db8::42 GET /items 404", "2001:db8::42"),
    ("web", "level=error msg=timeout", "not-an-ip"),
    ("web", "level=info msg=ok", "192.168.1.200"),
    ("web", "ip-10-0-1-17 handled request", ""),
    ("web", "request failed: error", ""),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LogQLEngine]:
    rows = [Row({"service_name": svc}, body, {"client": client}) for svc, body, client in LINES]
    with engine_over(tmp_path_factory.mktemp("features"), rows, BASE) as engine:
        yield engine


def found(engine: LogQLEngine, query: str) -> list[str]:
    return lines_found(engine, query, BASE)


def both_paths(engine: LogQLEngine, selector: str, stages: str) -> list[str]:
    in_sql = found(engine, f"{selector} {stages}")
    in_python = found(engine, f'{selector} | line_format "{{{{__line__}}}}" {stages}')
    assert in_sql == in_python
    return in_sql


ALL = '{service_name=~"api|web"}'


@pytest.mark.parametrize("stages,expected", [
    ('|> "<_> GET <_>"', [0, 2, 3]),
    ('|> "<_> GET <_> 200"', [0, 2]),
    ('!> "<_> GET <_>"', [1, 4, 5, 6, 7]),
    ('|> "level=<_> msg=<_>"', [4, 5]),
    ('|> "<_>: error"', [7]),
    ('|> "<_> 500" or "<_> 404"', [1, 3]),
    ('|> "<_>"', [0, 1, 2, 3, 4, 5, 6, 7]),
])
def test_pattern_line_filters(engine: LogQLEngine, stages: str, expected: list[int]) -> None:
    assert both_paths(engine, ALL, stages) == sorted(LINES[i][1] for i in expected)


@pytest.mark.parametrize("stages,expected", [
    ('|= ip("10.0.0.0/8")', [0, 1]),
    ('|= ip("10.0.0.5")', [0]),
    ('!= ip("10.0.0.0/8")', [2, 3, 4, 5, 6, 7]),
    ('|= ip("192.168.1.1-192.168.1.100")', [2]),
    ('|= ip("2001:db8::/32")', [3]),
    ('| client = ip("192.168.1.0/24")', [2, 5]),
    ('| client != ip("192.168.1.0/24")', [0, 1, 3, 4, 6, 7]),
    ('| client = ip("2001:db8::42")', [3]),
])
def test_ip_filters(engine: LogQLEngine, stages: str, expected: list[int]) -> None:
    assert both_paths(engine, ALL, stages) == sorted(LINES[i][1] for i in expected)


@pytest.mark.parametrize("query,message", [
    ('{service_name="api"} |= ip("300.1.1.1")', "line 1, col 28: invalid ip filter: '300.1.1.1' is not an IP address"),
    ('{service_name="api"} | client = ip("10.0.0.9-10.0.0.1")', "invalid ip filter"),
    ('{service_name="api"} |> "<_><_>"', "line 1, col 25: invalid pattern: found consecutive captures"),
    ('{service_name="api"} |> ""', "invalid pattern: the pattern is empty"),
    ('sort by (service_name) (count_over_time({service_name="api"}[1m]))', "grouping not allowed for sort"),
])
def test_errors_name_the_position(engine: LogQLEngine, query: str, message: str) -> None:
    with pytest.raises(BadData, match=message.replace("(", r"\(").replace(")", r"\)")):
        found(engine, query)


def instant(engine: LogQLEngine, query: str) -> list[tuple[str, str]]:
    data = engine.query_instant(query, BASE + 60 * S)
    assert data["resultType"] == "vector"
    return [(s["metric"].get("service_name", ""), s["value"][1]) for s in data["result"]]


def test_sort_and_sort_desc_order_instant_results_by_value(engine: LogQLEngine) -> None:
    inner = 'sum by (service_name) (count_over_time({service_name=~"api|web"} |~ "GET|msg" [2m]))'
    assert instant(engine, inner) == [("api", "3"), ("web", "2")]
    assert instant(engine, f"sort({inner})") == [("web", "2"), ("api", "3")]
    assert instant(engine, f"sort_desc({inner})") == [("api", "3"), ("web", "2")]
    assert instant(engine, 'sort_desc(sum by (service_name) (count_over_time({service_name=~"api|web"} '
                           '|~ "msg|request" [2m])))') == [("web", "4")]


def test_approx_topk_keeps_the_largest(engine: LogQLEngine) -> None:
    query = 'approx_topk(1, sum by (service_name) (count_over_time({service_name=~"api|web"} |= "GET" [2m])))'
    assert instant(engine, query) == [("api", "3")]
