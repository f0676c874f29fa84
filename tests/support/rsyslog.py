"""A real rsyslogd relaying to meshscope: run it on a config, feed it with logger(1)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support.server import free_port


@contextmanager
def rsyslogd(tmp_path: Path, actions: str) -> Iterator[int]:
    """rsyslogd with a TCP input on a free port (yielded) and ``actions`` forwarding what it gets."""
    binary = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    port = free_port()
    conf = tmp_path / "rsyslog.conf"
    conf.write_text(f"""global(workDirectory="{tmp_path}")
module(load="imtcp")
input(type="imtcp" port="{port}" address="127.0.0.1")
{actions}
""")
    proc = subprocess.Popen([binary, "-n", "-f", str(conf), "-i", str(tmp_path / "rsyslogd.pid")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_port(port, proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def send(port: int, tag: str, priority: str, lines: list[str]) -> None:
    """Each line to rsyslogd's TCP input as logger(1) sends it."""
    for line in lines:
        subprocess.run(["logger", "--tcp", "-n", "127.0.0.1", "-P", str(port), "-t", tag, "-p", priority, line],
                       check=True, timeout=10)


def _wait_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"rsyslogd exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("rsyslogd did not listen")
