"""How the runner wires the server, the services and the load together (no processes started)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import meshscope
from meshscope.demo.catalogue import SERVICE_NAMES
from meshscope.demo.runner import DemoOptions, child_env, load_argv, server_argv, service_argvs

PORTS = {name: 20000 + i for i, name in enumerate(SERVICE_NAMES)}


def _opt(argv: list[str], flag: str) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv) if a == flag]


def test_server_command():
    opts = DemoOptions(data_dir=Path("/d"), http_port=1, otlp_grpc_port=2, otlp_http_port=3)
    assert server_argv(opts) == [sys.executable, "-m", "meshscope", "serve", "--data-dir", "/d",
                                 "--http-port", "1", "--otlp-grpc-port", "2", "--otlp-http-port", "3"]


def test_services_know_their_peers_and_the_otlp_doors():
    argvs = service_argvs(DemoOptions(otlp_grpc_port=5317, otlp_http_port=5318), PORTS)
    assert list(argvs) == list(SERVICE_NAMES)
    orders = argvs["orders"]
    assert orders[:4] == [sys.executable, "-m", "meshscope.demo.service", "orders"]
    assert _opt(orders, "--port") == [str(PORTS["orders"])]
    assert sorted(_opt(orders, "--peer")) == sorted(
        f"{p}=http://127.0.0.1:{PORTS[p]}" for p in ("inventory", "payments", "notifications"))
    assert _opt(orders, "--otlp-endpoint") == ["127.0.0.1:5317"]
    assert _opt(argvs["payments"], "--otlp-endpoint") == ["http://127.0.0.1:5318"]
    assert _opt(argvs["payments"], "--otlp-protocol") == ["http"]


def test_fault_overrides_reach_only_their_service():
    argvs = service_argvs(DemoOptions(faults=("payments.decline=0.5", "inventory.error=0.2")), PORTS)
    assert _opt(argvs["payments"], "--fault") == ["decline=0.5"]
    assert _opt(argvs["inventory"], "--fault") == ["error=0.2"]
    assert _opt(argvs["orders"], "--fault") == []


def test_bad_fault_rates_fail_before_anything_starts():
    with pytest.raises(ValueError, match="more than 1"):
        service_argvs(DemoOptions(faults=("payments.decline=0.9", "payments.slow=0.5")), PORTS)


def test_seeds_differ_per_service():
    argvs = service_argvs(DemoOptions(seed=10), PORTS)
    seeds = [_opt(a, "--seed")[0] for a in argvs.values()]
    assert len(set(seeds)) == len(seeds)
    assert _opt(load_argv(DemoOptions(seed=10, rate=2), 1234), "--seed") == ["10"]


def test_load_targets_the_gateway():
    argv = load_argv(DemoOptions(rate=2.5), 1234)
    assert _opt(argv, "--target") == ["http://127.0.0.1:1234"]
    assert _opt(argv, "--rate") == ["2.5"]


def test_children_can_import_this_meshscope():
    root = str(Path(meshscope.__file__).resolve().parents[1])
    assert child_env()["PYTHONPATH"].split(os.pathsep)[0] == root


def test_data_layout():
    opts = DemoOptions(data_dir=Path("/x"))
    assert opts.logs_dir == Path("/x/demo/logs")
    assert opts.state_dir == Path("/x/demo/state")
