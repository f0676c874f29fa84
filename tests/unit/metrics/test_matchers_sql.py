"""Label matchers become ClickHouse predicates with Prometheus' semantics (checked in chDB)."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshscope.metrics.matchers_sql import metric_names, predicate, where
from meshscope.promql.matchers import LabelMatcher
from meshscope.storage.chdb_embedded import ChdbExecutor
from meshscope.storage.sql import quote


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> ChdbExecutor:
    return ChdbExecutor(Path(tmp_path_factory.mktemp("m")) / "chdb", "default")


@pytest.mark.parametrize("op, pattern, value, hit", [
    ("=~", "a.c", "abc", True),
    ("=~", "a.c", "xabcx", False),  # anchored like Prometheus
    ("=~", "a.c", "a\nc", False),  # `.` does not match a newline (Go RE2 default)
    ("=~", "(?s)a.c", "a\nc", True),
    ("=~", "foo|bar", "bar", True),
    ("!~", "foo|bar", "baz", True),
    ("=~", "", "", True),  # an absent label reads as ''
    ("=", "it's", "it's", True),
    ("!=", "x", "", True),
])
def test_predicates_match_like_prometheus(ex: ChdbExecutor, op: str, pattern: str, value: str, hit: bool) -> None:
    m = LabelMatcher("l", op, pattern)  # type: ignore[arg-type]
    assert m.matches(value) == hit  # the engine's reference semantics agree
    sql = predicate(m).replace("labels['l']", "v")
    rows = ex.rows(f"SELECT {sql} AS hit FROM (SELECT {quote(value)} AS v)")
    assert bool(rows[0]["hit"]) == hit, sql


def test_name_matcher_uses_the_column_and_pins_the_key() -> None:
    ms = [LabelMatcher("__name__", "=", "up"), LabelMatcher("job", "!=", "x")]
    assert where(ms) == "metric_name = 'up' AND labels['job'] != 'x'"
    assert metric_names(ms) == ["up"]
    assert metric_names([LabelMatcher("__name__", "=~", "up|down")]) is None
