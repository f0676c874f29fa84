"""Children run in their own process groups and are stopped with everything they started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from meshscope.demo.processes import free_port, port_in_use, spawn, stop_all, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def group_members(pgid: int) -> list[int]:
    """Pids whose process group is ``pgid`` (zombies included until reaped)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[2]) == pgid:
                pids.append(int(entry.name))
    return pids


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_stop_takes_grandchildren_and_stubborn_children(tmp_path):
    polite = spawn("polite", ["sh", "-c", "sleep 60 & wait"], tmp_path / "polite.log")
    stubborn = spawn("stubborn", ["sh", "-c", "trap '' TERM; sleep 60 & wait"], tmp_path / "stubborn.log")
    assert wait_until(lambda: len(group_members(polite.pid)) == 2 and len(group_members(stubborn.pid)) == 2, 5)
    members = group_members(polite.pid) + group_members(stubborn.pid)
    assert os.getpgid(polite.pid) == polite.pid  # its own group, not ours
    start = time.monotonic()
    stop_all([polite, stubborn], grace_s=1.0)
    assert time.monotonic() - start < 5
    assert wait_until(lambda: not any(alive(p) for p in members), 5)
    assert polite.process.returncode == -signal.SIGTERM
    assert stubborn.process.returncode == -signal.SIGKILL


def test_children_die_with_the_runner(tmp_path):
    """Even a SIGKILLed runner leaves nothing behind (parent-death signal)."""
    code = ("import sys, time; from pathlib import Path; from meshscope.demo.processes import spawn; "
            "c = spawn('s', ['sleep', '60'], Path(sys.argv[1])); print(c.pid, flush=True); time.sleep(60)")
    runner = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "s.log")], stdout=subprocess.PIPE)
    assert runner.stdout is not None
    child = int(runner.stdout.readline())
    assert alive(child)
    runner.kill()
    runner.wait()
    assert wait_until(lambda: not alive(child), 5)


def test_log_tail_and_ports(tmp_path):
    child = spawn("echo", ["sh", "-c", "for i in 1 2 3 4; do echo line $i; done"], tmp_path / "echo.log")
    child.process.wait()
    stop_all([child])
    assert child.log_tail(2) == "line 3\nline 4"
    port = free_port()
    assert not port_in_use(port)
