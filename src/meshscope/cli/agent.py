"""``meshscope agent``: run the shipping agent, or show the state of one (``meshscope agent status``)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from meshscope.errors import ConfigError

agent_app = typer.Typer(help="Ship logs and host metrics from this host to meshscope, exactly once.",
                        invoke_without_command=True, no_args_is_help=False, add_completion=False)
console = Console(stderr=True)
CONFIG = typer.Option(..., "--config", "-c", help="Agent YAML config (see docs/agent.md).")


def _load(config: Path) -> Any:
    from meshscope.agent.config import load_agent_config

    try:
        return load_agent_config(config)
    except ConfigError as exc:
        console.print(f"[red]error:[/] {exc.message}")
        raise typer.Exit(2) from None


@agent_app.callback()
def run(ctx: typer.Context,
        config: Path | None = typer.Option(None, "--config", "-c", help="Agent YAML config (docs/agent.md)."),
        log_level: str = typer.Option("info", help="debug, info, warning or error.")) -> None:
    """Run the agent with ``-c agent.yaml`` (no subcommand)."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = config
        return
    if config is None:
        console.print("[red]error:[/] give the agent config with -c agent.yaml")
        raise typer.Exit(2)
    cfg = _load(config)
    logging.basicConfig(level=log_level.upper(), format="%(message)s", datefmt="[%X]",
                        handlers=[RichHandler(console=console, show_path=False)])
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise
    from meshscope.agent.runner import Agent

    try:
        agent = Agent(cfg)
    except OSError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(1) from None
    console.print(f"[green]meshscope agent[/] shipping to {cfg.output.endpoint} · status on "
                  f"http://{cfg.observability.listen}/status")
    agent.run()


def _document(cfg: Any) -> dict[str, Any]:
    try:
        r = httpx.get(f"http://{cfg.observability.listen}/status", timeout=2)
        r.raise_for_status()
        return dict(r.json())
    except (httpx.HTTPError, ValueError):
        from meshscope.agent.positions import PositionStore
        from meshscope.agent.spool import Spool
        from meshscope.agent.status import status_document

        if not cfg.positions_path.exists():
            return {"running": False, "files": [], "spool": {}}
        spool = Spool(cfg.spool_dir, cfg.spool.max_bytes, read_only=True)
        return status_document(PositionStore(cfg.positions_path), spool, None, running=False)


@agent_app.command()
def status(ctx: typer.Context,
           config: Path | None = typer.Option(None, "--config", "-c", help="Agent YAML config."),
           as_json: bool = typer.Option(False, "--json", help="Print the status document as JSON.")) -> None:
    """Show files, offsets, lag and the spool of the agent configured in ``-c``."""
    path = config or ctx.obj
    if path is None:
        console.print("[red]error:[/] give the agent config with -c agent.yaml")
        raise typer.Exit(2)
    doc = _document(_load(path))
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
        return
    out = Console() if sys.stdout.isatty() else Console(width=250)  # piped: never cut a path
    out.print(f"agent: {'[green]running[/]' if doc['running'] else '[yellow]not running[/] (from its data dir)'}")
    table = Table("file", "size", "spooled", "acked", "lag (bytes)")
    for f in doc["files"]:
        table.add_row(f["path"], str(f["size"]), str(f["spooled"]), str(f["acked"]), str(f["lag_bytes"]))
    out.print(table)
    spool = doc.get("spool", {})
    if spool:
        out.print(f"spool: {spool['batches']} batches, {spool['bytes']} of {spool['max_bytes']} bytes"
                  f"{' [red]FULL: reading paused[/]' if spool['full'] else ''}; {spool['rejected']} rejected")
    for name, value in doc.get("counters", {}).items():
        out.print(f"{name}: {value:g}")
