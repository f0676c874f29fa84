"""``meshscope demo``: start the server, the shop's services and the load; stop them all cleanly.

Order matters both ways: the server must be ready before services export to it, callees start
before callers, and shutdown runs in reverse (load, then services, which flush their last
telemetry while the server still listens, then the server).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import httpx
from rich.console import Console

import meshscope
from meshscope.demo.banner import render_banner
from meshscope.demo.catalogue import SERVICES, fault_plans, parse_overrides
from meshscope.demo.processes import Child, free_port, port_in_use, spawn, stop_all, wait_until

SERVICE_READY_TIMEOUT_S = 60.0


class DemoError(Exception):
    """Something the user can act on; printed without a traceback."""


@dataclass(frozen=True)
class DemoOptions:
    data_dir: Path = Path("./data/demo")
    http_port: int = 8080
    otlp_grpc_port: int = 4317
    otlp_http_port: int = 4318
    rate: float = 3.0
    duration_s: float = 0.0  # 0: until stopped
    start_server: bool = True
    faults: tuple[str, ...] = ()
    seed: int | None = None
    ready_timeout_s: float = 120.0
    metrics_interval_s: float = 5.0

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "demo" / "logs"

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "demo" / "state"


def child_env() -> dict[str, str]:
    """The runner's environment, plus the path that imports this meshscope (a checkout works too)."""
    env = dict(os.environ)
    root = str(Path(meshscope.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def server_argv(opts: DemoOptions) -> list[str]:
    return [sys.executable, "-m", "meshscope", "serve", "--data-dir", str(opts.data_dir),
            "--http-port", str(opts.http_port), "--otlp-grpc-port", str(opts.otlp_grpc_port),
            "--otlp-http-port", str(opts.otlp_http_port)]


def service_argvs(opts: DemoOptions, ports: dict[str, int]) -> dict[str, list[str]]:
    """Command lines for every service, wired to its peers and to the server's OTLP doors."""
    overrides = parse_overrides(opts.faults)
    fault_plans(overrides)  # fail here, before anything starts, if the rates add up to over 1
    argvs: dict[str, list[str]] = {}
    for i, s in enumerate(SERVICES):
        endpoint = (f"127.0.0.1:{opts.otlp_grpc_port}" if s.otlp_protocol == "grpc"
                    else f"http://127.0.0.1:{opts.otlp_http_port}")
        argv = [sys.executable, "-m", "meshscope.demo.service", s.name, "--port", str(ports[s.name]),
                "--otlp-endpoint", endpoint, "--otlp-protocol", s.otlp_protocol,
                "--state-dir", str(opts.state_dir), "--metrics-interval", str(opts.metrics_interval_s)]
        for peer in s.peers:
            argv += ["--peer", f"{peer}=http://127.0.0.1:{ports[peer]}"]
        for fault, rate in overrides.get(s.name, {}).items():
            argv += ["--fault", f"{fault}={rate}"]
        if opts.seed is not None:
            argv += ["--seed", str(opts.seed + i)]
        argvs[s.name] = argv
    return argvs


def load_argv(opts: DemoOptions, gateway_port: int) -> list[str]:
    argv = [sys.executable, "-m", "meshscope.demo.load", "--target", f"http://127.0.0.1:{gateway_port}",
            "--rate", str(opts.rate)]
    return argv + (["--seed", str(opts.seed)] if opts.seed is not None else [])


def _http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


class DemoRun:
    """One run of the demo; :meth:`run` returns the process exit code."""

    def __init__(self, opts: DemoOptions, console: Console | None = None) -> None:
        self.opts = opts
        self.console = console or Console()
        self.stopping = threading.Event()
        self.tiers: list[list[Child]] = []  # started together, stopped together, in reverse
        self.ports: dict[str, int] = {}

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal)
                    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            if not self._start():
                return 0  # stopped while starting
            render_banner(self.console, self.opts, self.ports, self.tiers)
            return self._supervise()
        except DemoError as exc:
            self.console.print(f"[bold red]meshscope demo:[/] {exc}")
            return 1
        finally:
            self._stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, _: FrameType | None) -> None:
        self.stopping.set()

    def _start(self) -> bool:
        try:
            self.opts.logs_dir.mkdir(parents=True, exist_ok=True)
            self.opts.state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DemoError(f"cannot use --data-dir {self.opts.data_dir}: {exc.strerror} ({exc.filename})") from None
        self.ports = {s.name: free_port() for s in SERVICES}
        try:
            argvs = service_argvs(self.opts, self.ports)
        except ValueError as exc:
            raise DemoError(str(exc)) from None
        if self.opts.start_server:
            if not self._start_server():
                return False
        elif not _http_ok(f"http://127.0.0.1:{self.opts.http_port}/ready"):
            self.console.print(f"[yellow]no meshscope answers on port {self.opts.http_port} yet; the services "
                               "keep retrying their exports until one does[/]")
        services = [spawn(name, argv, self.opts.logs_dir / f"{name}.log", child_env())
                    for name, argv in argvs.items()]
        self.tiers.append(services)
        if not self._wait_services(services):
            return False
        self.tiers.append([spawn("load", load_argv(self.opts, self.ports["gateway"]),
                                 self.opts.logs_dir / "load.log", child_env())])
        return True

    def _start_server(self) -> bool:
        busy = [p for p in (self.opts.http_port, self.opts.otlp_grpc_port, self.opts.otlp_http_port)
                if port_in_use(p)]
        if busy:
            raise DemoError(f"port {', '.join(map(str, busy))} already in use: stop what listens there, "
                            "pick other ports (--http-port, --otlp-grpc-port, --otlp-http-port), or send "
                            "to a meshscope that is already running with --no-server")
        server = spawn("server", server_argv(self.opts), self.opts.logs_dir / "server.log", child_env())
        self.tiers.append([server])
        url = f"http://127.0.0.1:{self.opts.http_port}/ready"
        with self.console.status(f"starting meshscope server (waiting for {url})"):
            ready = wait_until(lambda: _http_ok(url), self.opts.ready_timeout_s,
                               abort=lambda: self.stopping.is_set() or not server.alive())
        if ready:
            return True
        if self.stopping.is_set():
            return False
        why = (f"exited with code {server.process.returncode}" if not server.alive()
               else f"not ready after {self.opts.ready_timeout_s:g}s")
        raise DemoError(f"the meshscope server {why} ({url}).\n"
                        f"Last lines of {server.log_path}:\n{server.log_tail()}")

    def _wait_services(self, services: list[Child]) -> bool:
        def all_up() -> bool:
            return all(_http_ok(f"http://127.0.0.1:{self.ports[c.name]}/healthz") for c in services)

        def any_dead() -> bool:
            return self.stopping.is_set() or any(not c.alive() for c in services)

        with self.console.status("starting the demo services"):
            if wait_until(all_up, SERVICE_READY_TIMEOUT_S, abort=any_dead):
                return True
        if self.stopping.is_set():
            return False
        bad = next((c for c in services if not c.alive()), services[0])
        raise DemoError(f"demo service {bad.name} did not start. Last lines of {bad.log_path}:\n"
                        f"{bad.log_tail()}")

    def _supervise(self) -> int:
        """Wait for a signal or the end of ``--duration``; report children that die."""
        started = time.monotonic()
        reported: set[str] = set()
        while not self.stopping.wait(1.0):
            if self.opts.duration_s and time.monotonic() - started >= self.opts.duration_s:
                break
            for child in (c for tier in self.tiers for c in tier):
                if child.alive() or child.name in reported:
                    continue
                reported.add(child.name)
                if child.name == "server":
                    raise DemoError(f"the meshscope server exited (code {child.process.returncode}).\n"
                                    f"Last lines of {child.log_path}:\n{child.log_tail()}")
                self.console.print(f"[yellow]{child.name} exited (code {child.process.returncode}); "
                                   f"see {child.log_path}[/]")
        return 0

    def _stop(self) -> None:
        if not self.tiers:
            return
        with self.console.status("stopping the demo"):
            for tier in reversed(self.tiers):
                stop_all(tier)
        self.tiers.clear()
        self.console.print("meshscope demo stopped.")
