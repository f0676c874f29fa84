"""The storage seam: blocks, stale markers, matchers, hints, and RE2 regex translation."""

from __future__ import annotations

import random

import numpy as np
import pytest

from meshscope.promql import STALE_NAN, Engine, LabelMatcher, MemorySource, SelectHints, Series, SeriesBlock
from meshscope.promql.regex import translate
from meshscope.promql.selectors import label_order
from meshscope.promql.source import is_stale
from unit.promql.helpers import engine, labels


def test_stale_markers_are_recognised_by_bits() -> None:
    values = np.array([1.0, np.nan, STALE_NAN, float("nan")])
    assert is_stale(values).tolist() == [False, False, True, False]


def test_block_round_trip() -> None:
    series = [Series(labels("a"), np.array([1, 2]), np.array([1.0, 2.0])), Series(labels("b"), np.array([3]),
                                                                                 np.array([3.0]))]
    block = SeriesBlock.from_series(series)
    assert block.offsets.tolist() == [0, 2, 3]
    assert [s.labels for s in block.series()] == [labels("a"), labels("b")]


@pytest.mark.parametrize(("matcher", "value", "hit"), [
    (LabelMatcher("a", "=", ""), "", True),
    (LabelMatcher("a", "!=", "x"), "", True),
    (LabelMatcher("a", "=~", "x|y"), "xy", False),
    (LabelMatcher("a", "=~", "(?i)X"), "x", True),
    (LabelMatcher("a", "!~", ".+"), "", True),
    (LabelMatcher("a", "=~", "a.c"), "a\nc", False),
])
def test_matchers(matcher: LabelMatcher, value: str, hit: bool) -> None:
    assert matcher.matches(value) is hit


@pytest.mark.parametrize(("pattern", "python"), [
    ("(?i)abc", "(?i:abc)"),
    ("a(?i)b|c", "a(?i:b)|(?i:c)"),
    ("[[:digit:]]+", "[0-9]+"),
    (r"\Qa.b\E", r"a\.b"),
    ("[]x]", r"[\]x]"),
])
def test_regex_translation(pattern: str, python: str) -> None:
    assert translate(pattern) == python


def test_hints_tell_storage_the_function_range_and_grouping() -> None:
    eng = engine({labels("x", job="a"): [(0, 1.0), (60_000, 2.0)]})
    eng.range("sum by (job) (rate(x[5m]))", 600_000, 1_200_000, 60_000)
    source = eng.source
    assert isinstance(source, MemorySource)
    (matchers, start, end, hints), = source.selects
    assert [m.name for m in matchers] == ["__name__"]
    assert (start, end) == (300_000, 1_200_000)
    assert hints == SelectHints(300_000, 1_200_000, 60_000, 300_000, "rate", ("job",), True, 300_000)


def test_sources_may_answer_in_any_order() -> None:
    class Reversed:
        def select(self, matchers: object, start: int, end: int, hints: object) -> SeriesBlock:
            return SeriesBlock.from_series([Series(labels("x", i="2"), np.array([0]), np.array([2.0])),
                                            Series(labels("x", i="1"), np.array([0]), np.array([1.0]))])
    result = Engine(Reversed()).range("x", 0, 0, 1000)
    assert [s.labels for s in result.series] == [labels("x", i="1"), labels("x", i="2")]
    assert [s.values.tolist() for s in result.series] == [[1.0], [2.0]]


def test_a_source_may_evaluate_a_whole_aggregation() -> None:
    from meshscope.promql import ast
    from meshscope.promql.values import StepVector

    class Pushing(MemorySource):
        def pushdown(self, expr: object, times: np.ndarray, lookback_ms: int) -> StepVector | None:
            if isinstance(expr, ast.Aggregate) and expr.op == "sum":
                shape = (1, len(times))
                return StepVector([labels(job="pushed")], np.full(shape, 42.0), np.ones(shape, bool))
            return None

    source = Pushing()
    source.add(labels("x", job="a"), [0, 60_000], [1.0, 2.0])
    result = Engine(source).range("sum(rate(x[5m])) + on() count(x)", 60_000, 120_000, 60_000)
    assert [s.values.tolist() for s in result.series] == [[43.0, 43.0]]


@pytest.mark.parametrize("seed", range(4))
def test_label_order_is_the_order_of_label_tuples(seed: int) -> None:
    rng = random.Random(seed)
    strings = ["", "a", "ab", "a\x00", "a\x00b", "b", "\x01", "é", "Z"] if seed % 2 else ["a", "ab", "b", "ba", "é"]
    sets = {tuple(sorted({rng.choice(strings[1:]): rng.choice(strings) for _ in range(rng.randint(0, 4))}.items()))
            for _ in range(60)}
    labels = list(sets)
    rng.shuffle(labels)
    order = label_order(labels)
    assert order is not None
    assert [labels[i] for i in order] == sorted(labels)
    assert label_order(sorted(labels)) is None
