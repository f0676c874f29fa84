"""Exactly once through crashes: 200,000 lines while the server, then the agent, is SIGKILLed and
restarted; every line is stored once (row count and distinct sequence numbers both 200,000)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from support.agent import AgentProcess, LineWriter, wait_for_count

TOTAL = 200_000


def _ship_through(server_factory, tmp_path, service: str, crash: Callable[[object, AgentProcess], None]
                  ) -> AgentProcess:
    """Write TOTAL lines steadily while ``crash`` runs; assert every line is stored exactly once."""
    server = server_factory(tmp_path / "data").start()
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    writer = LineWriter(log_dir / "app.log", TOTAL, chunk=5000, pause=0.05)
    config = {"files": {"app": {"paths": [str(log_dir / "*.log")], "read_from": "beginning",
                                "service_name": service}},
              "output": {"batch_max_records": 2000}}
    agent = AgentProcess(tmp_path / "agent", server.otlp_http_url, config).start()
    t = threading.Thread(target=writer.run)
    t.start()
    try:
        crash(server, agent)
        t.join()
        rows, distinct = wait_for_count(server, service, TOTAL, timeout=90)
        assert (rows, distinct) == (TOTAL, TOTAL), (
            f"agent:\n{agent.log_tail()}\nserver (all its runs):\n{server.log_tail(200)}\n"
            f"writer self-metrics:\n{_writer_metrics(server)}")
    finally:
        t.join()
    return agent


def _writer_metrics(server) -> str:  # type: ignore[no-untyped-def]
    """What the last server run counted: accepted, duplicate and refused writes (to explain a miscount)."""
    try:
        text = server.get("/metrics").text
    except Exception as exc:  # noqa: BLE001 - a diagnostic must not hide the assertion
        return f"(no /metrics: {exc})"
    keep = ("meshscope_ingest_", "meshscope_storage_inserted")
    return "\n".join(ln for ln in text.splitlines() if ln.startswith(keep))


def test_server_sigkilled_three_times_while_shipping(server_factory, tmp_path) -> None:
    def crash(server, agent) -> None:
        for _ in range(3):
            time.sleep(1.5)
            server.kill()
            time.sleep(0.5)
            server.start()

    agent = _ship_through(server_factory, tmp_path, "srvkill", crash)
    assert agent.metric('meshscope_agent_batches_retried_total{reason="network"}') > 0
    agent.stop()


def test_agent_sigkilled_and_restarted_mid_stream(server_factory, tmp_path) -> None:
    def crash(server, agent) -> None:
        for _ in range(3):
            time.sleep(1.2)
            agent.kill()
            agent.start()

    _ship_through(server_factory, tmp_path, "agentkill", crash).stop()
