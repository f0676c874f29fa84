"""Child processes for the demo: each in its own process group, stopped without orphans.

Every child gets a new session (so a terminal's Ctrl-C reaches only the runner, which then stops
children in order) and, on Linux, a parent-death signal so even a ``kill -9`` of the runner does
not leave services behind. Stopping signals the whole group: grandchildren go too.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

PR_SET_PDEATHSIG = 1
# loaded here, not in the forked child, where dlopen could deadlock on a lock another thread held
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the runner dies, whatever the cause."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    """A started child: its command, log file and process."""

    name: str
    argv: Sequence[str]
    log_path: Path
    process: subprocess.Popen[bytes]
    _log: IO[bytes] = field(repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)  # the child leads its own group: pgid == pid

    def close_log(self) -> None:
        self._log.close()


def spawn(name: str, argv: Sequence[str], log_path: Path, env: dict[str, str] | None = None) -> Child:
    """Start ``argv`` in a new session with stdout and stderr going to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("ab")
    preexec = _die_with_parent if _LIBC is not None else None
    process = subprocess.Popen(list(argv), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                               env=env, start_new_session=True,
                               preexec_fn=preexec)  # noqa: PLW1509 (only calls a preloaded prctl)
    return Child(name, argv, log_path, process, log)


def stop_all(children: Sequence[Child], grace_s: float = 8.0) -> None:
    """SIGTERM every group at once, wait up to ``grace_s``, then SIGKILL what is left."""
    for child in children:
        if child.alive():
            child.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
    for child in children:
        # the group too: a grandchild may outlive its leader
        child.signal_group(signal.SIGKILL)
        if child.process.poll() is None:
            child.process.wait()
        child.close_log()


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (the usual bind-to-0 trick; racy but fine locally)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def wait_until(check: Callable[[], bool], timeout_s: float, interval_s: float = 0.25,
               abort: Callable[[], bool] = lambda: False) -> bool:
    """Poll ``check`` until it is true (→ True), ``abort`` is true or time runs out (→ False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return True
        if abort():
            return False
        time.sleep(interval_s)
    return check()
