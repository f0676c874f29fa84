"""A real ``meshscope serve`` process on free ports, for tests that need the whole server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    """One server: start, stop (TERM or KILL), restart on the same data directory and ports."""

    data_dir: Path
    env_overrides: dict[str, str] = field(default_factory=dict)
    http_port: int = field(default_factory=free_port)
    grpc_port: int = field(default_factory=free_port)
    otlp_port: int = field(default_factory=free_port)
    syslog_port: int = field(default_factory=free_port)  # TCP and UDP
    config: Path | None = None  # a YAML settings file (--config)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def otlp_http_url(self) -> str:
        return f"http://127.0.0.1:{self.otlp_port}"

    @property
    def otlp_grpc_endpoint(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def start(self, timeout: float = 60.0) -> ServerProcess:
        env = dict(os.environ)
        env.setdefault("MESHSCOPE_INGEST__FLUSH_INTERVAL", "0.2")
        env["MESHSCOPE_SYSLOG__TCP_PORT"] = env["MESHSCOPE_SYSLOG__UDP_PORT"] = str(self.syslog_port)
        env.update(self.env_overrides)
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-server.log"
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "meshscope", "serve", "--data-dir", str(self.data_dir),
             "--http-port", str(self.http_port), "--otlp-grpc-port", str(self.grpc_port),
             "--otlp-http-port", str(self.otlp_port), "--log-level", "warning",
             *(["--config", str(self.config)] if self.config else [])],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        log.close()
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if (httpx.get(f"{self.http_url}/ready", timeout=1).status_code == 200
                        and httpx.get(f"{self.otlp_http_url}/ready", timeout=1).status_code == 200):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready after {timeout}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.proc = None
        return code

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def restart(self) -> ServerProcess:
        self.stop()
        return self.start()

    def get(self, path: str, **params: object) -> httpx.Response:
        return httpx.get(f"{self.http_url}{path}", params=params, timeout=30)
