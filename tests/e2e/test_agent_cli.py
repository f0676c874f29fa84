"""``meshscope agent`` as an operator uses it: a bad config names key and line, ``status`` while
running and after it stopped, standard input piped in, SIGTERM drains the spool."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from support.agent import AgentProcess, sql, wait_for_count

pytestmark = pytest.mark.e2e


def _cli(*args: str, stdin: bytes | None = None, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "meshscope", "agent", *args], input=stdin,
                          capture_output=True, timeout=timeout)


def test_bad_config_names_key_and_line(tmp_path) -> None:
    cfg = tmp_path / "agent.yaml"
    cfg.write_text("files:\n  app:\n    paths: [/var/log/*.log]\n    multiline:\n      preset: ruby\n")
    r = _cli("-c", str(cfg))
    err = " ".join(r.stderr.decode().split())
    assert r.returncode == 2 and "files.app.multiline.preset (line 5)" in err, err
    cfg.write_text("output:\n  endpoint: http://x\n  retries: 3\n")
    err = " ".join(_cli("-c", str(cfg)).stderr.decode().split())
    assert "output.retries (line 3): unknown setting" in err


def test_status_running_and_stopped(meshscope_server, tmp_path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.log").write_text("".join(f"seq={i} hello\n" for i in range(100)))
    agent = AgentProcess(tmp_path / "agent", meshscope_server.otlp_http_url,
                         {"files": {"a": {"paths": [str(logs / "*.log")], "read_from": "beginning",
                                          "service_name": "statussvc"}}}).start()
    assert wait_for_count(meshscope_server, "statussvc", 100, timeout=30) == (100, 100)
    running = json.loads(_cli("status", "-c", str(agent.config_path), "--json").stdout)
    assert running["running"] and running["files"][0]["acked"] == (logs / "a.log").stat().st_size
    assert running["counters"]["lines_read"] == 100
    table = _cli("status", "-c", str(agent.config_path)).stdout.decode()
    assert "a.log" in table and "running" in table
    assert agent.stop() == 0
    stopped = _cli("status", "-c", str(agent.config_path)).stdout.decode()
    assert "not running" in stopped and "a.log" in stopped and "0 batches" in stopped


def test_stdin_is_shipped_and_the_agent_exits_at_its_end(meshscope_server, tmp_path) -> None:
    agent = AgentProcess(tmp_path / "agent", meshscope_server.otlp_http_url,
                         {"stdin": {"enabled": True, "service_name": "stdinsvc"}})
    cfg = agent.write_config()
    lines = "".join(f"seq={i} from a pipe ERROR x\n" for i in range(5000)).encode()
    r = _cli("-c", str(cfg), stdin=lines)
    assert r.returncode == 0, r.stderr.decode()
    assert wait_for_count(meshscope_server, "stdinsvc", 5000, timeout=30) == (5000, 5000)
    levels = sql(meshscope_server, "SELECT DISTINCT severity_text AS s FROM meshscope.logs "
                                   "WHERE service_name = 'stdinsvc'")
    assert levels == [{"s": "ERROR"}]
