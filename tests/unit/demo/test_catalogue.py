"""``--fault SERVICE.KIND=RATE`` parsing against the catalogue of services."""

from __future__ import annotations

import pytest

from meshscope.demo.catalogue import SERVICE_NAMES, SERVICES, fault_plans, parse_overrides, parse_rate, spec
from meshscope.demo.faults import Fault


def test_the_shop_has_its_services_callees_first():
    assert set(SERVICE_NAMES) == {"gateway", "orders", "payments", "inventory", "notifications"}
    started: set[str] = set()
    for s in SERVICES:
        assert set(s.peers) <= started, f"{s.name} starts before its peers"
        started.add(s.name)


def test_both_otlp_doors_are_used():
    assert {s.otlp_protocol for s in SERVICES} == {"grpc", "http"}


@pytest.mark.parametrize(("items", "expected"), [
    ([], {}),
    (["payments.decline=0.5"], {"payments": {Fault.DECLINE: 0.5}}),
    (["payments.decline=1", "payments.timeout=0", "inventory.error=0.25"],
     {"payments": {Fault.DECLINE: 1.0, Fault.TIMEOUT: 0.0}, "inventory": {Fault.ERROR: 0.25}}),
    ([" orders.error=0.1"], {"orders": {Fault.ERROR: 0.1}}),
])
def test_overrides(items, expected):
    assert parse_overrides(items) == expected


@pytest.mark.parametrize(("item", "message"), [
    ("payments", "SERVICE.KIND=RATE"),
    ("payments.decline", "KIND=RATE"),
    ("shipping.error=0.1", "unknown demo service 'shipping'"),
    ("payments.explode=0.1", "kind is one of"),
    ("payments.decline=lots", "rate a number"),
    ("gateway.error=0.1", "gateway has no fault error; it knows: none"),
    ("inventory.decline=0.1", "it knows: inventory.slow, inventory.error"),
])
def test_bad_overrides_say_what_is_wrong(item, message):
    with pytest.raises(ValueError, match=message):
        parse_overrides([item])


def test_plans_apply_overrides_and_check_sums():
    plans = fault_plans(parse_overrides(["payments.decline=0.9"]))
    assert plans["payments"].rates[Fault.DECLINE] == 0.9
    assert plans["inventory"] == spec("inventory").faults
    with pytest.raises(ValueError, match="payments: fault rates add up to more than 1"):
        fault_plans(parse_overrides(["payments.decline=0.9", "payments.timeout=0.2"]))


def test_parse_rate():
    assert parse_rate("slow=0.3") == (Fault.SLOW, 0.3)
