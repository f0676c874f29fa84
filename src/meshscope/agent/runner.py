"""The agent process: readers, senders, host metrics and the status server, and their shutdown.

On SIGTERM/SIGINT reading stops, pending batches are spooled, and the senders get up to
``shutdown_timeout`` to deliver the spool; what is left is sent at the next start.
"""

from __future__ import annotations

import fcntl
import logging
import signal
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from meshscope.agent.batcher import Shipper
from meshscope.agent.config import AgentConfig
from meshscope.agent.hostmetrics import HostMetricsCollector
from meshscope.agent.positions import PositionStore
from meshscope.agent.redact import Redactor
from meshscope.agent.sender import Sender
from meshscope.agent.spool import Spool
from meshscope.agent.status import status_document
from meshscope.agent.stdin import StdinReader
from meshscope.agent.tailer import FileTailer
from meshscope.agent.telemetry import AgentMetrics, StatusServer

log = logging.getLogger(__name__)
READ_BUDGET = 4 * 1024 * 1024


def _lock_data_dir(data_dir: Path) -> TextIO:
    """One agent per data directory: two would read the same files and send the same spool."""
    f = open(data_dir / "agent.lock", "w")  # noqa: SIM115 - held for the agent's life
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        raise OSError(f"another meshscope agent is running with data_dir {data_dir}") from None
    return f


class Agent:
    def __init__(self, config: AgentConfig) -> None:
        self.config = c = config
        c.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = _lock_data_dir(c.data_dir)
        self.metrics = AgentMetrics()
        self.spool = Spool(c.spool_dir, c.spool.max_bytes, c.spool.fsync)
        self.positions = PositionStore(c.positions_path, c.spool.fsync)
        for ident, end in self.spool.resume_offsets().items():
            if not ident.startswith(("stdin-", "host_metrics")):
                # also when a crash came between spooling a new file's first batch and saving its
                # position: reading must resume after the batch, never form it a second time
                self.positions.ensure(ident, "", end)
                self.positions.advance(ident, end)
        redactor = Redactor(c.redact)
        self.shipper = Shipper(c.output, self.spool, self.positions, self.metrics)
        self.tailers = [FileTailer(name, spec, c.tailing, c.host_name, redactor, self.positions, self.shipper,
                                   self.metrics) for name, spec in c.files.items()]
        self.stdin = (StdinReader(c.stdin, c.tailing, c.host_name, redactor,
                                  Shipper(c.output, self.spool, None, self.metrics), self.metrics)
                      if c.stdin.enabled else None)
        self.host = (HostMetricsCollector(c.host_metrics, c.host_name, self.spool, c.output.gzip, self.metrics)
                     if c.host_metrics.enabled else None)
        self.sender = Sender(c.output, self.spool, self.positions, self.metrics)
        self.stopping = threading.Event()
        self.status_server = StatusServer(c.observability.listen, self.metrics, self.status)
        self.metrics.spool_max.set(c.spool.max_bytes)
        # read at scrape time: the reading loop itself waits while the spool is full
        self.metrics.spool_bytes.set_function(lambda: self.spool.bytes)
        self.metrics.spool_batches.set_function(lambda: self.spool.pending())
        self.metrics.paused.set_function(lambda: 1.0 if self.spool.full else 0.0)

    def _on_signal(self, *_: object) -> None:
        self.stopping.set()
        self.spool.interrupted = True  # a reader waiting for spool space stops waiting

    def status(self) -> dict[str, Any]:
        return status_document(self.positions, self.spool, self.metrics, running=True)

    def run(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)
        self.status_server.start()
        self.sender.start()
        for tailer in self.tailers:
            tailer.recover_rotated()
            tailer.discover()
        self.positions.save()  # the first start is over even if nothing is read before a crash
        if self.stdin is not None:
            self.stdin.start()
        if self.host is not None:
            self.host.start()
        log.info("meshscope agent running: %d file inputs, spool %s", len(self.tailers), self.spool.dir)
        self._loop()
        self.shutdown()

    def _loop(self) -> None:
        last_save = time.monotonic()
        while not self.stopping.is_set():
            busy = False
            for tailer in self.tailers:
                busy = tailer.poll(READ_BUDGET) or busy
                tailer.report()
            self._gauges()
            if time.monotonic() - last_save > 1.0:
                self.positions.save()
                self.positions.forget(self.config.tailing.forget_after)
                last_save = time.monotonic()
            if self._stdin_only_done():
                break
            if not busy:
                self.stopping.wait(self.config.tailing.poll_interval)

    def _stdin_only_done(self) -> bool:
        return (self.stdin is not None and self.stdin.finished.is_set() and not self.tailers
                and self.host is None)

    def _gauges(self) -> None:
        self.metrics.files_open.set(sum(len(t.cursors) for t in self.tailers))

    def shutdown(self) -> None:
        """Spool what was read, give the senders ``shutdown_timeout`` to deliver, then stop."""
        if self.host is not None:
            self.host.close()
        self.spool.interrupted = True
        for tailer in self.tailers:
            tailer.flush()
        deadline = time.monotonic() + self.config.shutdown_timeout
        while self.spool.pending() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.spool.close()
        self.sender.close(5.0)
        self.positions.save()
        for tailer in self.tailers:
            tailer.close()
        self.status_server.stop()
        log.info("meshscope agent stopped; %d batches left in the spool", self.spool.pending())
