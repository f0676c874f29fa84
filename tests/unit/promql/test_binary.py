"""Vector matching: results, and errors worded like Prometheus'."""

from __future__ import annotations

import pytest

from meshscope.promql import EvaluationError, Vector
from unit.promql.helpers import engine, labels

DATA = {
    labels("a", job="x", instance="1"): [(0, 1.0)],
    labels("a", job="x", instance="2"): [(0, 2.0)],
    labels("b", job="x"): [(0, 10.0)],
    labels("b", job="y"): [(0, 20.0)],
    labels("c", job="x", instance="1"): [(0, 5.0)],
}


def run(query: str) -> dict[tuple[tuple[str, str], ...], float]:
    result = engine(DATA).instant(query, 0)
    assert isinstance(result, Vector)
    return {s.labels: s.value for s in result.samples}


def test_group_left_copies_labels_from_the_one_side() -> None:
    got = run('a * on(job) group_left(extra) label_replace(b, "extra", "e-$1", "job", "(.*)")')
    assert got == {labels(job="x", instance="1", extra="e-x"): 10.0, labels(job="x", instance="2", extra="e-x"): 20.0}


def test_one_to_one_keeps_only_on_labels() -> None:
    assert run("a / on(job, instance) c") == {labels(job="x", instance="1"): 0.2}


def test_comparison_keeps_the_metric_name_and_the_left_value() -> None:
    assert run("a > on(job) group_left b * 0.15") == {labels("a", job="x", instance="2"): 2.0}


def test_duplicate_series_on_the_one_side() -> None:
    with pytest.raises(EvaluationError) as info:
        run("b + on(job) a")
    assert str(info.value) == (
        'found duplicate series for the match group {job="x"} on the right hand-side of the operation: '
        '[{__name__="a", instance="2", job="x"}, {__name__="a", instance="1", job="x"}];'
        "many-to-many matching not allowed: matching labels must be unique on one side")


def test_group_right_reports_the_left_side() -> None:
    with pytest.raises(EvaluationError, match="on the left hand-side"):
        run("a + on(job) group_right b")


def test_many_to_one_must_be_explicit() -> None:
    with pytest.raises(EvaluationError, match=r"^multiple matches for labels: many-to-one matching must be explicit"):
        run("a + on(job) b")


def test_grouping_labels_must_make_matches_unique() -> None:
    with pytest.raises(EvaluationError, match="grouping labels must ensure unique matches"):
        run('{__name__=~"a|c"} * on(job) group_left b')


@pytest.mark.parametrize(("query", "expected"), [
    ("a and c", {labels("a", job="x", instance="1"): 1.0}),
    ("a unless c", {labels("a", job="x", instance="2"): 2.0}),
    ("c or a", {labels("c", job="x", instance="1"): 5.0, labels("a", job="x", instance="2"): 2.0}),
    ("a and on(job) b", {labels("a", job="x", instance="1"): 1.0, labels("a", job="x", instance="2"): 2.0}),
    ("b atan2 on(job) group_left a", None),
])
def test_set_operators(query: str, expected: dict[object, float] | None) -> None:
    if expected is None:
        with pytest.raises(EvaluationError):
            run(query)
    else:
        assert run(query) == expected


def test_arithmetic_drops_the_name_atan2_does_not() -> None:
    assert set(run("c * 2")) == {labels(job="x", instance="1")}
    assert set(run("c atan2 1")) == {labels("c", job="x", instance="1")}
    assert set(run("c > bool 1")) == {labels(job="x", instance="1")}
