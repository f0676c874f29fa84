"""The ``meshscope demo`` command: a running shop of instrumented services feeding meshscope."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from meshscope.demo.runner import DemoOptions, DemoRun


def demo(
    data_dir: Annotated[Path, typer.Option(help="Where the server and the demo services keep data.")] = Path(
        "./data/demo"),
    http_port: Annotated[int, typer.Option(help="The server's HTTP port (UI and APIs).")] = 8080,
    otlp_grpc_port: Annotated[int, typer.Option(help="The server's OTLP/gRPC port.")] = 4317,
    otlp_http_port: Annotated[int, typer.Option(help="The server's OTLP/HTTP port.")] = 4318,
    rate: Annotated[float, typer.Option(min=0.1, help="Average requests per second of the load generator.")] = 3.0,
    duration: Annotated[float, typer.Option(min=0, help="Seconds to run; 0 runs until stopped.")] = 0,
    no_server: Annotated[bool, typer.Option(
        "--no-server", help="Do not start a server: send to a meshscope already running on these ports.")] = False,
    fault: Annotated[Optional[list[str]], typer.Option(  # noqa: UP045 (typer reads the annotation)
        metavar="SERVICE.KIND=RATE",
        help="Change a fault rate, e.g. payments.decline=0.3 or inventory.slow=0 (repeatable).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Seed the services' and load's randomness.")] = None,  # noqa: UP045
) -> None:
    """Start meshscope with a small shop of instrumented services and traffic, to see it working."""
    opts = DemoOptions(data_dir=data_dir, http_port=http_port, otlp_grpc_port=otlp_grpc_port,
                       otlp_http_port=otlp_http_port, rate=rate, duration_s=duration,
                       start_server=not no_server, faults=tuple(fault or ()), seed=seed)
    code = DemoRun(opts).run()
    if code:
        raise typer.Exit(code)
