"""The demo shop's services: who calls whom, how each exports, and what goes wrong by default.

The runner starts services in this order (callees first) and hands each the URLs of its peers.
``--fault payments.decline=0.5`` style overrides are parsed and checked against this table here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from meshscope.demo.faults import Fault, FaultPlan

OtlpProtocol = Literal["grpc", "http"]


@dataclass(frozen=True)
class ServiceSpec:
    """One demo service as the runner sees it."""

    name: str
    summary: str
    peers: tuple[str, ...]
    faults: FaultPlan
    otlp_protocol: OtlpProtocol = "grpc"


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("inventory", "stock in SQLite, reservations", (),
                FaultPlan({Fault.SLOW: 0.03, Fault.ERROR: 0.01})),
    # payments exports over OTLP/HTTP so both of the server's OTLP doors see traffic
    ServiceSpec("payments", "charges cards, may decline", (),
                FaultPlan({Fault.DECLINE: 0.05, Fault.TIMEOUT: 0.03, Fault.SLOW: 0.05}),
                otlp_protocol="http"),
    ServiceSpec("notifications", "queue consumer, sends e-mail", (),
                FaultPlan({Fault.ERROR: 0.02})),
    ServiceSpec("orders", "reserve, charge, publish", (
        "inventory", "payments", "notifications"), FaultPlan({Fault.ERROR: 0.0})),
    ServiceSpec("gateway", "public API for the load", ("orders", "inventory"),
                FaultPlan({})),
)

SERVICE_NAMES: tuple[str, ...] = tuple(s.name for s in SERVICES)


def spec(name: str) -> ServiceSpec:
    for s in SERVICES:
        if s.name == name:
            return s
    raise ValueError(f"unknown demo service {name!r}; known: {', '.join(SERVICE_NAMES)}")


def parse_rate(text: str) -> tuple[Fault, float]:
    """``decline=0.05`` → (Fault.DECLINE, 0.05); the form a service takes on its command line."""
    name, sep, value = text.partition("=")
    if not sep:
        raise ValueError(f"expected KIND=RATE, got {text!r}")
    try:
        fault = Fault(name.strip())
        rate = float(value)
    except ValueError:
        raise ValueError(
            f"bad fault {text!r}: kind is one of {', '.join(f for f in Fault if f is not Fault.NONE)}"
            " and rate a number between 0 and 1") from None
    return fault, rate


def parse_overrides(items: Iterable[str]) -> dict[str, dict[Fault, float]]:
    """``["payments.decline=0.5", ...]`` → ``{"payments": {Fault.DECLINE: 0.5}}``, checked.

    A kind the service does not act on is an error rather than silently doing nothing.
    """
    out: dict[str, dict[Fault, float]] = {}
    for item in items:
        service, dot, rest = item.partition(".")
        if not dot:
            raise ValueError(f"expected SERVICE.KIND=RATE, got {item!r}")
        s = spec(service.strip())
        fault, rate = parse_rate(rest)
        if fault not in s.faults.rates:
            known = ", ".join(f"{s.name}.{f}" for f in s.faults.rates) or "none"
            raise ValueError(f"{s.name} has no fault {fault!s}; it knows: {known}")
        out.setdefault(s.name, {})[fault] = rate
    return out


def fault_plans(overrides: Mapping[str, Mapping[Fault, float]]) -> dict[str, FaultPlan]:
    """Each service's defaults with the overrides applied (validates the sums)."""
    plans: dict[str, FaultPlan] = {}
    for s in SERVICES:
        try:
            plans[s.name] = s.faults.with_rates(overrides.get(s.name, {}))
        except ValueError as exc:
            raise ValueError(f"{s.name}: {exc}") from None
    return plans
