"""The panel ``meshscope demo`` prints once everything is up: where to look and what runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from meshscope.demo.catalogue import spec

if TYPE_CHECKING:
    from meshscope.demo.processes import Child
    from meshscope.demo.runner import DemoOptions


def render_banner(console: Console, opts: DemoOptions, ports: dict[str, int],
                  tiers: Sequence[Sequence[Child]]) -> None:
    ui = f"http://localhost:{opts.http_port}/"
    head = Table.grid(padding=(0, 2))
    head.add_row("UI", Text(ui, style="bold cyan"))
    head.add_row("OTLP", f"gRPC localhost:{opts.otlp_grpc_port} · HTTP http://localhost:{opts.otlp_http_port}")
    if not opts.start_server:
        head.add_row("server", "not started (--no-server): sending to the one already running")
    head.add_row("logs", str(opts.logs_dir))

    procs = Table("process", "pid", "listens on", "otlp", "role", box=None, padding=(0, 1))
    for child in (c for tier in tiers for c in tier):
        procs.add_row(child.name, str(child.pid), *_describe(child.name, opts, ports))

    until = f"Stops by itself after {opts.duration_s:g}s. " if opts.duration_s else ""
    foot = Text(f"Traces, logs and metrics show up in the UI within a minute. {until}"
                "Ctrl-C or SIGTERM stops everything.", style="dim")
    console.print(Panel(Group(head, Text(""), procs, Text(""), foot),
                        title="[bold]meshscope demo[/]", border_style="green", expand=False))


def _describe(name: str, opts: DemoOptions, ports: dict[str, int]) -> tuple[str, str, str]:
    if name == "server":
        return f"*:{opts.http_port}", "", "meshscope: ingest, query, UI"
    if name == "load":
        return "", "", f"~{opts.rate:g} req/s to gateway, bursty"
    s = spec(name)
    return f"127.0.0.1:{ports[name]}", s.otlp_protocol, s.summary
