"""Run one demo service: ``python -m meshscope.demo.service NAME --port N --peer orders=URL ...``.

Each service is its own process (its own OTel resource, exporter and pid), which is what makes
the data look like a real distributed system. Services bind 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from fastapi import FastAPI

from meshscope.demo.catalogue import SERVICE_NAMES, OtlpProtocol, parse_rate, spec
from meshscope.demo.faults import Fault, FaultPlan

BIND_HOST = "127.0.0.1"
DEFAULT_ENDPOINTS: dict[str, str] = {"grpc": "localhost:4317", "http": "http://localhost:4318"}


@dataclass(frozen=True)
class ServiceOptions:
    name: str
    port: int
    peers: dict[str, str] = field(default_factory=dict)
    otlp_endpoint: str = DEFAULT_ENDPOINTS["grpc"]
    otlp_protocol: OtlpProtocol = "grpc"
    faults: FaultPlan = field(default_factory=lambda: FaultPlan({}))
    state_dir: Path = Path(".")
    seed: int | None = None
    metrics_interval_s: float = 5.0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m meshscope.demo.service", description=__doc__)
    p.add_argument("name", choices=SERVICE_NAMES)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--peer", action="append", default=[], metavar="NAME=URL")
    p.add_argument("--otlp-endpoint", default=None, help="gRPC host:port or HTTP base URL")
    p.add_argument("--otlp-protocol", choices=("grpc", "http"), default=None,
                   help="default: the protocol the catalogue gives this service")
    p.add_argument("--fault", action="append", default=[], metavar="KIND=RATE")
    p.add_argument("--state-dir", type=Path, default=Path("."))
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--metrics-interval", type=float, default=5.0)
    return p


def parse_args(argv: Sequence[str]) -> ServiceOptions:
    """Command line → options; raises ``ValueError`` with a readable reason."""
    try:
        ns = _parser().parse_args(list(argv))
    except SystemExit as exc:  # argparse already printed the reason
        raise ValueError(f"bad service arguments: {' '.join(argv)}") from exc
    s = spec(ns.name)
    peers = dict(_split_peer(p) for p in ns.peer)
    missing = [p for p in s.peers if p not in peers]
    if missing:
        raise ValueError(f"{s.name} needs --peer for: {', '.join(missing)}")
    overrides: dict[Fault, float] = dict(parse_rate(f) for f in ns.fault)
    unknown = [f for f in overrides if f not in s.faults.rates]
    if unknown:
        raise ValueError(f"{s.name} has no fault {', '.join(unknown)}")
    protocol = cast(OtlpProtocol, ns.otlp_protocol or s.otlp_protocol)
    return ServiceOptions(
        name=s.name, port=ns.port, peers=peers, otlp_protocol=protocol,
        otlp_endpoint=ns.otlp_endpoint or DEFAULT_ENDPOINTS[protocol],
        faults=s.faults.with_rates(overrides), state_dir=ns.state_dir, seed=ns.seed,
        metrics_interval_s=ns.metrics_interval)


def _split_peer(text: str) -> tuple[str, str]:
    name, sep, url = text.partition("=")
    if not sep or not url.startswith(("http://", "https://")):
        raise ValueError(f"expected --peer NAME=http://HOST:PORT, got {text!r}")
    return name, url


def service_factories() -> dict[str, Callable[..., FastAPI]]:
    from meshscope.demo.services import gateway, inventory, notifications, orders, payments

    return {"gateway": gateway.create, "orders": orders.create, "payments": payments.create,
            "inventory": inventory.create, "notifications": notifications.create}


def run(opts: ServiceOptions) -> None:
    """Serve until SIGTERM/SIGINT, then flush telemetry (uvicorn handles the signals)."""
    import uvicorn

    from meshscope.demo.peers import Peers
    from meshscope.demo.telemetry import TelemetryConfig, start_telemetry
    from meshscope.demo.webapp import ServiceContext

    telemetry = start_telemetry(TelemetryConfig(
        opts.name, opts.otlp_endpoint, opts.otlp_protocol, opts.metrics_interval_s,
        instance=f"{opts.name}-{opts.port}"))
    try:
        ctx = ServiceContext(opts.name, opts.faults, Peers(opts.peers), opts.state_dir,
                             rng=random.Random(opts.seed))
        app = service_factories()[opts.name](ctx)
        config = uvicorn.Config(app, host=BIND_HOST, port=opts.port, log_level="warning", access_log=False,
                                log_config=None, timeout_graceful_shutdown=2)
        ctx.log.info("%s listening on http://%s:%d, exporting OTLP/%s to %s", opts.name, BIND_HOST,
                     opts.port, opts.otlp_protocol, opts.otlp_endpoint)
        uvicorn.Server(config).run()
    finally:
        telemetry.shutdown()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        opts = parse_args(sys.argv[1:] if argv is None else argv)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    opts.state_dir.mkdir(parents=True, exist_ok=True)
    run(opts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
