"""``meshscope``: serve, demo and helpers. Long work shows progress; errors say what to change."""

from __future__ import annotations

import logging
from pathlib import Path

import typer
from rich.console import Console
from rich.logging import RichHandler

import meshscope
from meshscope.config import load_settings
from meshscope.errors import ConfigError, MeshscopeError

app = typer.Typer(name="meshscope", help="Logs, metrics, traces and the service map in one program.",
                  no_args_is_help=True, add_completion=False)
console = Console(stderr=True)


def _logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(message)s", datefmt="[%X]",
                        handlers=[RichHandler(console=console, show_path=False)])


@app.command()
def serve(
    config: Path | None = typer.Option(None, "--config", "-c", help="YAML settings file."),
    data_dir: Path | None = typer.Option(None, help="Data directory (embedded storage, spool)."),
    http_port: int | None = typer.Option(None, help="Port of the UI and query APIs [8080]."),
    otlp_grpc_port: int | None = typer.Option(None, help="OTLP/gRPC port [4317]."),
    otlp_http_port: int | None = typer.Option(None, help="OTLP/HTTP port [4318]."),
    storage_url: str | None = typer.Option(None, help="ClickHouse server URL; empty = embedded chDB."),
    retention_traces: str | None = typer.Option(None, help="How long to keep traces, e.g. 7d."),
    retention_logs: str | None = typer.Option(None, help="How long to keep logs, e.g. 7d."),
    retention_metrics: str | None = typer.Option(None, help="How long to keep metrics, e.g. 30d."),
    log_level: str | None = typer.Option(None, help="debug, info, warning or error."),
) -> None:
    """Run the meshscope server: UI, query APIs, OTLP gRPC and HTTP."""
    from meshscope.runtime import run_server

    overrides = {"data_dir": data_dir, "http.port": http_port, "otlp.grpc_port": otlp_grpc_port,
                 "otlp.http_port": otlp_http_port, "storage.url": storage_url,
                 "retention.traces": retention_traces, "retention.logs": retention_logs,
                 "retention.metrics": retention_metrics, "log_level": log_level}
    try:
        settings = load_settings(config, overrides=overrides)
    except ConfigError as exc:
        console.print(f"[red]error:[/] {exc.message}")
        raise typer.Exit(2) from None
    _logging(settings.log_level)

    def ready(ms: object) -> None:
        console.print(f"[green]meshscope {meshscope.__version__} ready[/]: UI and APIs on "
                      f"http://localhost:{settings.http.port}/ · OTLP gRPC :{settings.otlp.grpc_port} · "
                      f"OTLP HTTP :{settings.otlp.http_port} · storage "
                      f"{settings.storage.url or settings.chdb_path}")

    try:
        run_server(settings, ready)
    except MeshscopeError as exc:
        console.print(f"[red]error:[/] {exc.message}")
        raise typer.Exit(1) from None


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(meshscope.__version__)


def _register_optional() -> None:
    """Commands owned by other modules; absent ones simply do not appear."""
    try:
        from meshscope.cli.agent import agent_app
    except ImportError:
        pass
    else:
        app.add_typer(agent_app, name="agent")
    try:
        from meshscope.cli.demo import demo
    except ImportError:
        return
    app.command()(demo)


_register_optional()
