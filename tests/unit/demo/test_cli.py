"""The ``demo`` command's options land in :class:`DemoOptions`, and its exit code is the run's."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from meshscope.cli import demo as demo_cli
from meshscope.demo.runner import DemoOptions


@pytest.fixture
def runs(monkeypatch):
    seen: list[DemoOptions] = []
    code = [0]

    class FakeRun:
        def __init__(self, opts: DemoOptions) -> None:
            seen.append(opts)

        def run(self) -> int:
            return code[0]

    monkeypatch.setattr(demo_cli, "DemoRun", FakeRun)
    app = typer.Typer()
    app.command()(demo_cli.demo)
    app.command("other")(lambda: None)  # keeps "demo" a subcommand, as in the real CLI
    return app, seen, code


def test_defaults(runs):
    app, seen, _ = runs
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert seen == [DemoOptions()]


def test_options(runs):
    app, seen, _ = runs
    result = CliRunner().invoke(app, [
        "demo", "--data-dir", "/tmp/x", "--http-port", "1", "--otlp-grpc-port", "2", "--otlp-http-port", "3",
        "--rate", "7.5", "--duration", "30", "--no-server", "--fault", "payments.decline=1",
        "--fault", "inventory.slow=0", "--seed", "9"])
    assert result.exit_code == 0, result.output
    assert seen == [DemoOptions(data_dir=Path("/tmp/x"), http_port=1, otlp_grpc_port=2, otlp_http_port=3,
                                rate=7.5, duration_s=30, start_server=False,
                                faults=("payments.decline=1", "inventory.slow=0"), seed=9)]


def test_failure_exit_code(runs):
    app, _, code = runs
    code[0] = 1
    assert CliRunner().invoke(app, ["demo"]).exit_code == 1
