"""A service's command line, as the runner writes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshscope.demo.faults import Fault
from meshscope.demo.service import parse_args

ORDERS_PEERS = ["--peer", "inventory=http://127.0.0.1:1", "--peer", "payments=http://127.0.0.1:2",
                "--peer", "notifications=http://127.0.0.1:3"]


def test_defaults_come_from_the_catalogue():
    grpc = parse_args(["inventory", "--port", "9001"])
    assert (grpc.otlp_protocol, grpc.otlp_endpoint) == ("grpc", "localhost:4317")
    http = parse_args(["payments", "--port", "9002"])
    assert (http.otlp_protocol, http.otlp_endpoint) == ("http", "http://localhost:4318")
    assert http.faults.rates[Fault.DECLINE] == 0.05


def test_full_command_line(tmp_path: Path):
    opts = parse_args(["orders", "--port", "9003", *ORDERS_PEERS, "--otlp-endpoint", "127.0.0.1:5317",
                       "--fault", "error=0.5", "--state-dir", str(tmp_path), "--seed", "7",
                       "--metrics-interval", "2"])
    assert opts.peers["payments"] == "http://127.0.0.1:2"
    assert opts.otlp_endpoint == "127.0.0.1:5317"
    assert opts.faults.rates[Fault.ERROR] == 0.5
    assert (opts.state_dir, opts.seed, opts.metrics_interval_s) == (tmp_path, 7, 2.0)


@pytest.mark.parametrize(("argv", "message"), [
    (["orders", "--port", "1"], "orders needs --peer for: inventory, payments, notifications"),
    (["gateway", "--port", "1", "--peer", "orders=127.0.0.1:5"], "NAME=http://HOST:PORT"),
    (["inventory", "--port", "1", "--fault", "decline=0.1"], "inventory has no fault decline"),
    (["inventory", "--port", "1", "--fault", "slow=2"], "between 0 and 1"),
    (["shipping", "--port", "1"], "bad service arguments"),
])
def test_bad_command_lines(argv, message, capsys):
    with pytest.raises(ValueError, match=message):
        parse_args(argv)
