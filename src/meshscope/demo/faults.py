"""Fault injection: which request fails, stalls or raises.

Decisions are pure functions of a ``random.Random`` so tests pin them with a seed and a user can
force errors (``--fault payments.decline=1``) to see what a failing path looks like.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Fault(StrEnum):
    """What goes wrong with one request; each service acts on the kinds it knows."""

    NONE = "none"
    DECLINE = "decline"  # payments: the card is declined (502)
    TIMEOUT = "timeout"  # payments: the processor hangs past the caller's timeout
    SLOW = "slow"  # a slow span or a slow query, the request still succeeds
    ERROR = "error"  # an exception with a stack trace recorded on the span


@dataclass(frozen=True)
class FaultPlan:
    """Probabilities per fault kind for one service; together at most 1."""

    rates: Mapping[Fault, float]

    def __post_init__(self) -> None:
        for fault, rate in self.rates.items():
            if fault is Fault.NONE:
                raise ValueError("'none' is what is left over, it takes no rate")
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"fault rate for {fault} must be between 0 and 1, got {rate}")
        if sum(self.rates.values()) > 1.0 + 1e-9:
            raise ValueError(f"fault rates add up to more than 1: {dict(self.rates)}")
        object.__setattr__(self, "rates", MappingProxyType(dict(self.rates)))

    def draw(self, rng: random.Random) -> Fault:
        """One uniform draw walked over the cumulative rates (in declaration order of ``Fault``)."""
        u = rng.random()
        edge = 0.0
        for fault in Fault:
            edge += self.rates.get(fault, 0.0)
            if u < edge:
                return fault
        return Fault.NONE

    def with_rates(self, overrides: Mapping[Fault, float]) -> FaultPlan:
        return FaultPlan({**self.rates, **overrides})


def jitter(rng: random.Random, low_s: float, high_s: float) -> float:
    """A duration between ``low_s`` and ``high_s``, skewed towards the low end like real latency."""
    return low_s + (high_s - low_s) * rng.random() ** 2
