"""A real ``meshscope agent`` process with its own config, for tests that count what arrives."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from support.server import ServerProcess, free_port


def sql(server: ServerProcess, query: str) -> list[dict[str, Any]]:
    r = httpx.get(f"{server.http_url}/api/ms/sql", params={"query": query}, timeout=30)
    r.raise_for_status()
    return list(r.json()["data"])


def seq_counts(server: ServerProcess, service: str) -> tuple[int, int]:
    """(rows, distinct sequence numbers) of the lines ``service`` shipped (``seq=N`` in the body)."""
    row = sql(server, "SELECT count() AS n, uniqExact(extract(body, 'seq=(\\\\d+)')) AS u "
                      f"FROM meshscope.logs WHERE service_name = '{service}'")[0]
    return int(row["n"]), int(row["u"])


def missing(server: ServerProcess, service: str, total: int) -> str:
    """The sequence numbers below ``total`` that are not stored, as ranges (for failure messages)."""
    rows = sql(server, "SELECT groupArray(toUInt64(extract(body, 'seq=(\\\\d+)'))) AS s FROM meshscope.logs "
                       f"WHERE service_name = '{service}'")
    have = {int(v) for v in rows[0]["s"]}
    gaps, start = [], None
    for i in range(total + 1):
        if i < total and i not in have:
            start = i if start is None else start
        elif start is not None:
            gaps.append(f"{start}-{i - 1}")
            start = None
    return "missing: " + (", ".join(gaps[:20]) or "none")


def wait_for_count(server: ServerProcess, service: str, expected: int, timeout: float) -> tuple[int, int]:
    deadline = time.monotonic() + timeout
    counts = (0, 0)
    while time.monotonic() < deadline:
        try:
            counts = seq_counts(server, service)
        except httpx.HTTPError:
            time.sleep(0.5)
            continue
        if counts[0] >= expected:
            time.sleep(1.0)  # a duplicate would arrive right behind
            return seq_counts(server, service)
        time.sleep(0.5)
    return counts


@dataclass
class AgentProcess:
    """One agent: ``config`` is merged over fast test defaults and written next to ``data_dir``."""

    data_dir: Path
    endpoint: str
    config: dict[str, Any] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    log_level: str = "warning"
    proc: subprocess.Popen[bytes] | None = None

    @property
    def config_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}-agent.yaml"

    @property
    def status_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def write_config(self) -> Path:
        doc: dict[str, Any] = {
            "data_dir": str(self.data_dir), "host_name": "test-host",
            "output": {"endpoint": self.endpoint, "batch_timeout": "200ms", "initial_backoff": "100ms",
                       "max_backoff": "1s", "timeout": "5s"},
            "tailing": {"poll_interval": "50ms", "rotate_wait": "1s"},
            "observability": {"listen": f"127.0.0.1:{self.port}"},
            "shutdown_timeout": "5s",
        }
        for key, value in self.config.items():
            if isinstance(value, dict) and isinstance(doc.get(key), dict):
                doc[key] = {**doc[key], **value}
            else:
                doc[key] = value
        self.config_path.write_text(yaml.safe_dump(doc))
        return self.config_path

    def start(self, stdin: int | None = None) -> AgentProcess:
        self.write_config()
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-agent.log"
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen([sys.executable, "-m", "meshscope", "agent", "-c", str(self.config_path),
                                      "--log-level", self.log_level], stdin=stdin, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"agent exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                httpx.get(f"{self.status_url}/status", timeout=1).raise_for_status()
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"agent not up after 30s:\n{self.log_tail()}")

    # the same process handling as the server's (they use only ``proc`` and ``log_path``)
    log_tail = ServerProcess.log_tail
    stop = ServerProcess.stop
    kill = ServerProcess.kill

    def metrics(self) -> str:
        return httpx.get(f"{self.status_url}/metrics", timeout=5).text

    def status(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.status_url}/status", timeout=5).json())

    def metric(self, name: str) -> float:
        for line in self.metrics().splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        return 0.0


class LineWriter:
    """Appends ``seq=N`` lines to ``path`` in chunks, like a service logging steadily; optionally
    rotates every ``rotate_every`` lines by rename-and-create or by copytruncate."""

    def __init__(self, path: Path, total: int, chunk: int = 2000, pause: float = 0.02,
                 rotate_every: int = 0, rotation: str = "rename", padding: int = 40) -> None:
        self.path, self.total, self.chunk, self.pause = path, total, chunk, pause
        self.rotate_every, self.rotation = rotate_every, rotation
        self.pad = "x" * padding
        self.written = 0
        self.rotations = 0

    def run(self) -> None:
        while self.written < self.total:
            n = min(self.chunk, self.total - self.written)
            if self.rotate_every:
                n = min(n, self.rotate_every - self.written % self.rotate_every)
            with open(self.path, "a") as f:
                f.write("".join(f"seq={i:07d} INFO steady line {self.pad}\n"
                                for i in range(self.written, self.written + n)))
            self.written += n
            if self.rotate_every and self.written % self.rotate_every == 0 and self.written < self.total:
                self.rotate()
            time.sleep(self.pause)

    def rotate(self) -> None:
        self.rotations += 1
        rotated = self.path.with_name(f"{self.path.name}.{self.rotations}")
        if self.rotation == "rename":
            self.path.rename(rotated)
        else:  # copytruncate, as logrotate does it (the writer pauses meanwhile, so nothing is lost)
            rotated.write_bytes(self.path.read_bytes())
            with open(self.path, "r+") as f:
                f.truncate(0)
