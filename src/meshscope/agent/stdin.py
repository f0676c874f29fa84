"""Standard input as a source: lines until end of input, then everything held is shipped.

Standard input cannot be read again after a crash, so its batches are keyed by a per-run id and
offsets within the stream; they still go through the spool, so an outage loses nothing.
"""

from __future__ import annotations

import os
import threading
import uuid

from meshscope.agent.batcher import PendingBatch, Shipper
from meshscope.agent.config import StdinInput, Tailing
from meshscope.agent.lines import LineSplitter
from meshscope.agent.pipeline import Pipeline, PipelineSpec
from meshscope.agent.redact import Redactor
from meshscope.agent.telemetry import AgentMetrics


class StdinReader:
    def __init__(self, spec: StdinInput, tailing: Tailing, host: str, redactor: Redactor, shipper: Shipper,
                 metrics: AgentMetrics, fd: int = 0) -> None:
        self.fd, self.shipper, self.metrics = fd, shipper, metrics
        self.ident = f"stdin-{uuid.uuid4().hex[:12]}"
        self.resource = {"host.name": host, "service.name": spec.service_name}
        self.pipeline = Pipeline(PipelineSpec("plain", spec.multiline, spec.parser), redactor,
                                 tailing.max_line_bytes)
        self.splitter = LineSplitter(0, tailing.max_line_bytes, tailing.long_lines)
        self.batch = PendingBatch(0, 0)
        self.finished = threading.Event()
        self.thread = threading.Thread(target=self._run, name="stdin", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        try:
            while True:
                data = os.read(self.fd, 256 * 1024)
                lines = self.splitter.feed(data) if data else self.splitter.rest()
                self.metrics.lines_read.labels("stdin").inc(len(lines))
                done, end = self.pipeline.feed(lines)
                self.batch.add(done, end)
                if not data:
                    done, end = self.pipeline.expire(final=True)
                    self.batch.add(done, end)
                    self.shipper.ship(self.ident, self.resource, self.batch)
                    return
                if self.shipper.due(self.batch) and not self.shipper.ship(self.ident, self.resource, self.batch):
                    return
        finally:
            self.finished.set()
