"""Fault decisions: validation, and draws pinned by a seeded RNG."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from meshscope.demo.faults import Fault, FaultPlan, jitter


@pytest.mark.parametrize(("rates", "message"), [
    ({Fault.DECLINE: -0.1}, "between 0 and 1"),
    ({Fault.DECLINE: 1.5}, "between 0 and 1"),
    ({Fault.DECLINE: 0.6, Fault.TIMEOUT: 0.5}, "more than 1"),
    ({Fault.NONE: 0.1}, "no rate"),
])
def test_bad_plans_are_refused(rates, message):
    with pytest.raises(ValueError, match=message):
        FaultPlan(rates)


def test_certain_and_impossible_faults():
    rng = random.Random(1)
    always = FaultPlan({Fault.DECLINE: 1.0})
    never = FaultPlan({Fault.DECLINE: 0.0, Fault.SLOW: 0.0})
    assert {always.draw(rng) for _ in range(200)} == {Fault.DECLINE}
    assert {never.draw(rng) for _ in range(200)} == {Fault.NONE}


def test_same_seed_same_decisions():
    plan = FaultPlan({Fault.DECLINE: 0.2, Fault.TIMEOUT: 0.1, Fault.SLOW: 0.1})
    a, b = random.Random(42), random.Random(42)
    assert [plan.draw(a) for _ in range(100)] == [plan.draw(b) for _ in range(100)]


def test_frequencies_follow_rates():
    plan = FaultPlan({Fault.DECLINE: 0.05, Fault.TIMEOUT: 0.03, Fault.SLOW: 0.10})
    rng = random.Random(7)
    counts = Counter(plan.draw(rng) for _ in range(20_000))
    assert counts[Fault.DECLINE] / 20_000 == pytest.approx(0.05, abs=0.01)
    assert counts[Fault.TIMEOUT] / 20_000 == pytest.approx(0.03, abs=0.01)
    assert counts[Fault.SLOW] / 20_000 == pytest.approx(0.10, abs=0.01)
    assert Fault.ERROR not in counts


def test_with_rates_overrides_and_keeps_the_rest():
    plan = FaultPlan({Fault.DECLINE: 0.05, Fault.SLOW: 0.05}).with_rates({Fault.DECLINE: 0.5})
    assert dict(plan.rates) == {Fault.DECLINE: 0.5, Fault.SLOW: 0.05}


def test_plans_are_immutable():
    plan = FaultPlan({Fault.SLOW: 0.1})
    with pytest.raises(TypeError):
        plan.rates[Fault.SLOW] = 0.9  # type: ignore[index]


def test_jitter_stays_in_range():
    rng = random.Random(3)
    values = [jitter(rng, 0.5, 1.5) for _ in range(1000)]
    assert min(values) >= 0.5 and max(values) <= 1.5
    assert sum(values) / len(values) < 1.0  # skewed towards the low end
