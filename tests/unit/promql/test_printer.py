"""Printing a tree and parsing the text gives the same tree, for every query we know of."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshscope.promql.errors import ParseError
from meshscope.promql.parse import parse_query
from meshscope.promql.printer import format_duration, format_expr
from promql.promqltest import parse_file
from promql.test_oracle import QUERIES

TESTDATA = Path(__file__).parents[2] / "promql" / "testdata"


def _parses(query: str) -> bool:
    try:
        parse_query(query)
    except ParseError:
        return False
    return True


EXPRESSIONS = sorted(q for q in {c.expr for p in TESTDATA.glob("*/*.test") for c in parse_file(p)} | set(QUERIES)
                     if _parses(q))


@pytest.mark.parametrize("query", EXPRESSIONS)
def test_round_trip(query: str) -> None:
    tree = parse_query(query)
    assert repr(parse_query(format_expr(tree))) == repr(tree)  # repr: NaN literals compare unequal


@pytest.mark.parametrize(("ms", "text"), [(0, "0s"), (90_000, "1m30s"), (1500, "1s500ms"), (-300_000, "-5m"),
                                          (86_400_000 * 8, "1w1d")])
def test_durations(ms: int, text: str) -> None:
    assert format_duration(ms) == text


def test_format_is_compact() -> None:
    query = 'sum by (job) (rate(x{a="b"}[5m] offset 1m)) / on(job) group_left() count without () (y @ 10)'
    assert format_expr(parse_query(query)) == \
        'sum by (job) (rate(x{a="b"}[5m] offset 1m)) / on(job) group_left() count without () (y @ 10.000)'
