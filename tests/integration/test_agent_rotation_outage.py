"""No line lost through rotations and outages: rename-and-create and copytruncate under steady
writing; a server outage long enough to fill the spool (reading pauses, then resumes)."""

from __future__ import annotations

import time

import pytest

from support.agent import AgentProcess, LineWriter, missing, wait_for_count


def _files(log_dir, service: str) -> dict:
    return {"files": {"app": {"paths": [str(log_dir / "app.log")], "read_from": "beginning",
                              "service_name": service}}}


@pytest.mark.parametrize("rotation", ["rename", "copytruncate"])
def test_rotation_under_steady_writing_loses_nothing(meshscope_server, tmp_path, rotation: str) -> None:
    total = 30_000
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    service = f"rot-{rotation}"
    writer = LineWriter(log_dir / "app.log", total, chunk=500, pause=0.02, rotate_every=6000, rotation=rotation)
    agent = AgentProcess(tmp_path / "agent", meshscope_server.otlp_http_url, _files(log_dir, service)).start()
    try:
        writer.run()
        rows, distinct = wait_for_count(meshscope_server, service, total, timeout=60)
        assert (rows, distinct) == (total, total), missing(meshscope_server, service, total) + agent.log_tail()
        assert writer.rotations == 4
        assert agent.metric("meshscope_agent_file_" + ("rotations" if rotation == "rename" else "truncations")
                            + "_total") >= 1
    finally:
        agent.stop()


def test_outage_fills_the_spool_pauses_reading_then_delivers_everything(server_factory, tmp_path) -> None:
    server = server_factory(tmp_path / "data").start()
    total = 40_000
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    config = {**_files(log_dir, "outage"), "spool": {"max_bytes": "64KiB", "fsync": False},
              "output": {"batch_max_records": 500, "max_backoff": "300ms"}}
    agent = AgentProcess(tmp_path / "agent", server.otlp_http_url, config).start()
    writer = LineWriter(log_dir / "app.log", total, chunk=4000, pause=0.01)
    try:
        server.kill()
        writer.run()
        deadline = time.monotonic() + 30
        while agent.metric("meshscope_agent_reading_paused") != 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert agent.metric("meshscope_agent_reading_paused") == 1
        spooled = agent.metric("meshscope_agent_spool_bytes")
        assert 0 < spooled <= 64 * 1024
        time.sleep(1.0)  # paused: reading does not move while the spool is full
        lag = agent.status()["files"][0]["lag_bytes"]
        assert lag > 100_000 and agent.metric("meshscope_agent_spool_bytes") <= 64 * 1024
        server.start()
        rows, distinct = wait_for_count(server, "outage", total, timeout=90)
        assert (rows, distinct) == (total, total), agent.log_tail()
        assert agent.metric("meshscope_agent_reading_paused") == 0
    finally:
        agent.stop()


def test_overloaded_server_429_is_retried_until_stored_once(server_factory, tmp_path) -> None:
    server = server_factory(tmp_path / "data", env_overrides={
        "MESHSCOPE_INGEST__QUEUE_MAX_ROWS": "2500", "MESHSCOPE_INGEST__FLUSH_INTERVAL": "1"}).start()
    total = 30_000
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    config = {**_files(log_dir, "overload"), "output": {"batch_max_records": 2000, "concurrency": 4}}
    agent = AgentProcess(tmp_path / "agent", server.otlp_http_url, config).start()
    try:
        LineWriter(log_dir / "app.log", total, chunk=10_000, pause=0).run()
        rows, distinct = wait_for_count(server, "overload", total, timeout=90)
        assert (rows, distinct) == (total, total), missing(server, "overload", total) + agent.log_tail()
        assert agent.metric('meshscope_agent_batches_retried_total{reason="429"}') > 0
        assert agent.metric("meshscope_agent_batches_rejected_total") == 0
    finally:
        agent.stop()
