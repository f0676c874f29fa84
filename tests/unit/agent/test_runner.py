"""Start-up of the agent after a crash: reading resumes after every spooled batch."""

import gzip
from pathlib import Path

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

from meshscope.agent.config import AgentConfig
from meshscope.agent.fingerprint import fingerprint_path
from meshscope.agent.runner import Agent
from meshscope.agent.spool import Spool


def test_batch_spooled_before_its_position_was_saved_is_not_formed_again(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text("".join(f"seq={i}\n" for i in range(10)))
    ident = fingerprint_path(str(log), 1024)
    assert ident is not None
    first_five = len("".join(f"seq={i}\n" for i in range(5)))
    # the crash: the batch of lines 0-4 is in the spool, positions.json never got written
    Spool(tmp_path / "agent" / "spool", 1 << 20).put(f"{ident}:0-{first_five}:x", "logs", ident, 0, first_five,
                                                     5, b"...")
    cfg = AgentConfig.model_validate({
        "data_dir": str(tmp_path / "agent"), "output": {"endpoint": "http://127.0.0.1:9", "gzip": True},
        "files": {"a": {"paths": [str(log)], "read_from": "beginning"}},
        "observability": {"listen": "127.0.0.1:0"}})
    agent = Agent(cfg)
    try:
        pos = agent.positions.get(ident)
        assert pos is not None and pos.spooled == first_five
        tailer = agent.tailers[0]
        tailer.discover()
        tailer.poll(1 << 20)
        tailer.flush()
        new = [p for p in sorted((tmp_path / "agent" / "spool").glob("*.batch"))][1:]
        assert len(new) == 1
        data = new[0].read_bytes()
        n = int.from_bytes(data[:4], "big")
        req = ExportLogsServiceRequest.FromString(gzip.decompress(data[4 + n:]))
        bodies = [r.body.string_value for r in req.resource_logs[0].scope_logs[0].log_records]
        assert bodies == [f"seq={i}" for i in range(5, 10)]
    finally:
        agent.status_server.stop()
        agent.sender.exporter.close()


def test_one_agent_per_data_dir(tmp_path: Path) -> None:
    import pytest

    cfg = AgentConfig.model_validate({"data_dir": str(tmp_path), "observability": {"listen": "127.0.0.1:0"}})
    first = Agent(cfg)
    try:
        with pytest.raises(OSError, match="another meshscope agent"):
            Agent(cfg)
    finally:
        first.status_server.stop()
        first.sender.exporter.close()
        first._lock.close()
