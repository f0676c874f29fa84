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
        assert (rows, distinct) == (TOTAL, TOTAL), agent.log_tail()
    finally:
        t.join()
    return agent


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
