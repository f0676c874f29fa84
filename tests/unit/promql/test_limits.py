"""Query limits and request validation, as typed errors with Prometheus' wording."""

from __future__ import annotations

import pytest

from meshscope.promql import BadQuery, Engine, MemorySource, QueryTimeoutError, TooManySamples
from meshscope.promql.errors import TOO_MANY_SAMPLES
from unit.promql.helpers import engine, every, labels

SERIES = {labels("x", i=str(i)): every(15_000, [float(v) for v in range(40)]) for i in range(10)}


def test_max_samples_counts_samples_held_at_once() -> None:
    assert engine(SERIES, max_samples=400).instant("sum(x)", 300_000)
    with pytest.raises(TooManySamples) as info:
        engine(SERIES, max_samples=100).instant("sum_over_time(x[5m])", 300_000)
    assert str(info.value) == TOO_MANY_SAMPLES
    assert info.value.error_type == "execution"


def test_range_queries_count_every_step() -> None:
    with pytest.raises(TooManySamples):
        engine(SERIES, max_samples=300).range("x", 0, 600_000, 15_000)


def test_timeout() -> None:
    with pytest.raises(QueryTimeoutError, match="query timed out in expression evaluation") as info:
        engine(SERIES, timeout_s=-1.0).instant("x", 0)
    assert info.value.error_type == "timeout"


@pytest.mark.parametrize(("query", "start", "end", "step", "message"), [
    ("x", 0, 60_000, 0, "zero or negative query resolution step"),
    ("x", 60_000, 0, 1000, "end timestamp must not be before start time"),
    ("x[5m]", 0, 60_000, 1000, 'invalid expression type "range vector" for range query'),
    ('"s"', 0, 60_000, 1000, 'invalid expression type "string" for range query'),
])
def test_bad_range_requests(query: str, start: int, end: int, step: int, message: str) -> None:
    with pytest.raises(BadQuery, match=message) as info:
        Engine(MemorySource()).range(query, start, end, step)
    assert info.value.error_type == "bad_data"


def test_lookback_is_configurable() -> None:
    data = {labels("x"): [(0, 1.0)]}
    assert engine(data, lookback_ms=60_000).range("x", 0, 120_000, 30_000).series[0].timestamps.tolist() == \
        [0, 30_000, 60_000]
