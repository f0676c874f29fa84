"""The tailer in-process against real files: what it spools, and from where it resumes."""

import gzip
import os
import time
from pathlib import Path

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

from meshscope.agent.batcher import Shipper
from meshscope.agent.config import FileInput, Output, Redaction, Tailing
from meshscope.agent.positions import PositionStore
from meshscope.agent.redact import Redactor
from meshscope.agent.spool import Spool
from meshscope.agent.tailer import FileTailer
from meshscope.agent.telemetry import AgentMetrics


class Rig:
    def __init__(self, tmp: Path, **spec) -> None:
        self.tmp = tmp
        self.spec = FileInput(paths=[str(tmp / "logs" / "*.log")], **spec)
        self.open()

    def open(self) -> None:
        self.metrics = AgentMetrics()
        self.spool = Spool(self.tmp / "spool", 1 << 24, fsync=False)
        self.positions = PositionStore(self.tmp / "positions.json", fsync=False)
        out = Output(batch_max_records=1000, batch_timeout=0.01)
        self.tailer = FileTailer("app", self.spec, Tailing(rotate_wait=0.05, max_line_bytes=256), "h",
                                 Redactor(Redaction()), self.positions, Shipper(out, self.spool, self.positions,
                                                                                self.metrics), self.metrics)

    def poll(self, times: int = 3) -> None:
        for _ in range(times):
            self.tailer.poll(1 << 20)
            time.sleep(0.06)
            self.tailer.poll(1 << 20)

    def bodies(self) -> list[str]:
        out = []
        for p in sorted((self.tmp / "spool").glob("*.batch")):
            data = p.read_bytes()
            n = int.from_bytes(data[:4], "big")
            req = ExportLogsServiceRequest.FromString(gzip.decompress(data[4 + n:]))
            out += [r.body.string_value for r in req.resource_logs[0].scope_logs[0].log_records]
        return out


def _rig(tmp_path: Path, lines: int = 10) -> tuple[Rig, Path]:
    """A rig that has read ``lines`` lines of ``logs/a.log`` from the beginning."""
    (tmp_path / "logs").mkdir()
    log = tmp_path / "logs" / "a.log"
    _append(log, 0, lines)
    rig = Rig(tmp_path, read_from="beginning")
    rig.poll()
    return rig, log


def _append(path: Path, start: int, n: int) -> None:
    with open(path, "a") as f:
        f.write("".join(f"seq={i} line\n" for i in range(start, start + n)))


def test_first_start_reads_from_end_new_files_from_start(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    old = tmp_path / "logs" / "old.log"
    _append(old, 0, 5)
    with open(old, "a") as f:
        f.write("seq=5 half")
    rig = Rig(tmp_path)
    rig.poll()
    assert rig.bodies() == []
    with open(old, "a") as f:
        f.write(" done\n")
    _append(tmp_path / "logs" / "new.log", 100, 2)
    rig.poll()
    assert sorted(rig.bodies()) == ["seq=100 line", "seq=101 line", "seq=5 half done"]


def test_resume_after_restart_reads_nothing_twice(tmp_path: Path) -> None:
    rig, log = _rig(tmp_path)
    rig.tailer.close()
    _append(log, 10, 5)
    rig.open()
    rig.poll()
    assert rig.bodies() == [f"seq={i} line" for i in range(15)]


def test_rename_rotation_drains_the_old_file(tmp_path: Path) -> None:
    rig, log = _rig(tmp_path)
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    log.rename(tmp_path / "logs" / "a.log.1")
    os.write(fd, b"seq=10 late write to the rotated file\n")  # the app still holds the old file
    os.close(fd)
    _append(log, 11, 3)
    rig.poll()
    assert sorted(rig.bodies()) == sorted([f"seq={i} line" for i in range(10)] +
                                          ["seq=10 late write to the rotated file"] +
                                          [f"seq={i} line" for i in range(11, 14)])
    assert not any(c.path.endswith(".1") for c in rig.tailer.cursors.values())


def test_copytruncate_reads_the_rest_from_the_copy(tmp_path: Path) -> None:
    rig, log = _rig(tmp_path)
    _append(log, 10, 5)  # not read yet when logrotate copies and truncates
    (tmp_path / "logs" / "a.log.1").write_bytes(log.read_bytes())
    with open(log, "r+") as f:
        f.truncate(0)
    _append(log, 15, 20)  # already past the old offset: detected by the first line
    rig.poll()
    assert sorted(rig.bodies(), key=lambda b: int(b.split()[0][4:])) == [f"seq={i} line" for i in range(35)]
    assert rig.metrics.truncations._value.get() == 1


def test_truncation_without_copy_starts_over(tmp_path: Path) -> None:
    rig, log = _rig(tmp_path)
    with open(log, "r+") as f:
        f.truncate(0)
    rig.poll()
    _append(log, 0, 3)  # the same first line again, shorter file
    rig.poll()
    assert len(rig.bodies()) == 13


def test_long_line_is_split_not_stuck(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    log = tmp_path / "logs" / "a.log"
    log.write_text("first\n" + "y" * 600 + "\nafter\n")
    rig = Rig(tmp_path, read_from="beginning")
    rig.poll()
    bodies = rig.bodies()
    assert bodies[0] == "first" and bodies[-1] == "after" and "".join(bodies[1:-1]) == "y" * 600


def test_excludes_and_lag_metric(tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    _append(tmp_path / "logs" / "keep.log", 0, 3)
    _append(tmp_path / "logs" / "skip-debug.log", 0, 3)
    rig = Rig(tmp_path, read_from="beginning", exclude=["*debug*"])
    rig.poll()
    rig.tailer.report()
    assert len(rig.bodies()) == 3 and len(rig.tailer.cursors) == 1
    lag = rig.metrics.lag.labels(str(tmp_path / "logs" / "keep.log"))._value.get()
    assert lag > 0  # spooled, not yet acknowledged


def test_a_generation_rotated_away_between_polls_is_still_read(tmp_path: Path) -> None:
    rig, log = _rig(tmp_path)
    for gen in (1, 2):  # two copytruncate rotations before the agent looks again
        _append(log, gen * 100, 5)
        (tmp_path / "logs" / f"a.log.{gen}").write_bytes(log.read_bytes())
        with open(log, "r+") as f:
            f.truncate(0)
        _append(log, gen * 100 + 50, 3)
    rig.poll()
    bodies = sorted(rig.bodies(), key=lambda b: int(b.split()[0][4:]))
    expected = list(range(10)) + [100, 101, 102, 103, 104, 150, 151, 152, 200, 201, 202, 203, 204, 250, 251, 252]
    assert bodies == [f"seq={i} line" for i in expected]


def test_rotated_while_the_agent_was_down_is_drained_at_start(tmp_path: Path) -> None:
    rig, log = _rig(tmp_path)
    rig.tailer.close()  # the agent stops (or is killed) here
    _append(log, 10, 5)  # written, then rotated away before the agent is back
    log.rename(tmp_path / "logs" / "a.log.1")
    _append(log, 100, 3)
    rig.open()
    rig.tailer.recover_rotated()
    rig.poll()
    bodies = sorted(rig.bodies(), key=lambda b: int(b.split()[0][4:]))
    assert bodies == [f"seq={i} line" for i in [*range(15), 100, 101, 102]]
