"""Sender threads: take the oldest spooled batch, export it, and only on acknowledgement free it
and move the file's acknowledged offset. Retries back off exponentially with full jitter and wait
at least what ``Retry-After`` asks; a batch is never dropped for a condition a retry can fix."""

from __future__ import annotations

import gzip
import logging
import random
import threading

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

from meshscope.agent.config import Output
from meshscope.agent.encode import compress
from meshscope.agent.exporter import ExportOutcome, ExportResult, OtlpHttpExporter
from meshscope.agent.positions import PositionStore
from meshscope.agent.spool import Batch, Spool
from meshscope.agent.telemetry import AgentMetrics

log = logging.getLogger(__name__)


def backoff(attempt: int, output: Output, retry_after: float = 0.0) -> float:
    """Seconds before retry ``attempt`` (1-based): full jitter under an exponential cap."""
    cap = min(output.max_backoff, output.initial_backoff * 2 ** (attempt - 1))
    return max(retry_after, random.uniform(cap / 2, cap))


def split_logs(batch: Batch, gzipped: bool) -> list[tuple[str, int, bytes]] | None:
    """Two halves of a logs batch with derived keys; None when it cannot be split further."""
    raw = gzip.decompress(batch.body) if gzipped else batch.body
    req = ExportLogsServiceRequest.FromString(raw)
    records = [r for rl in req.resource_logs for sl in rl.scope_logs for r in sl.log_records]
    if batch.signal != "logs" or len(records) < 2 or len(req.resource_logs) != 1:
        return None
    parts = []
    half = len(records) // 2
    for n, chunk in enumerate((records[:half], records[half:])):
        part = ExportLogsServiceRequest()
        part.resource_logs.add().CopyFrom(req.resource_logs[0])
        del part.resource_logs[0].scope_logs[:]
        sl = part.resource_logs[0].scope_logs.add()
        sl.scope.CopyFrom(req.resource_logs[0].scope_logs[0].scope)
        sl.log_records.extend(chunk)
        parts.append((f"{batch.key}/{n}", len(chunk), compress(part.SerializeToString(), gzipped)))
    return parts


class Sender:
    def __init__(self, output: Output, spool: Spool, positions: PositionStore, metrics: AgentMetrics) -> None:
        self.output, self.spool, self.positions, self.metrics = output, spool, positions, metrics
        self.exporter = OtlpHttpExporter(output)
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, name=f"sender-{n}", daemon=True)
                        for n in range(output.concurrency)]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            batch = self.spool.claim(0.2)
            if batch is None:
                continue
            self._deliver(batch)

    def _deliver(self, batch: Batch) -> None:
        attempt = 0
        while True:
            outcome = self.exporter.export(batch.signal, batch.body, batch.key)
            if outcome.result is not ExportResult.RETRY:
                self._settle(batch, outcome)
                return
            attempt += 1
            self.metrics.batches_retried.labels(str(outcome.status or "network")).inc()
            if attempt == 1 or attempt % 10 == 0:
                log.warning("batch %s not delivered (%s %s), retrying", batch.key, outcome.status or "",
                            outcome.message[:120])
            if self.stop.wait(backoff(attempt, self.output, outcome.retry_after)):
                self.spool.release(batch)  # stays spooled; sent again at the next start
                return

    def _settle(self, batch: Batch, outcome: ExportOutcome) -> None:
        if outcome.result is ExportResult.SUCCESS:
            self._done(batch)
            self.metrics.batches_sent.labels(batch.signal).inc()
            self.metrics.records_sent.labels(batch.signal).inc(batch.records - outcome.rejected)
            if outcome.rejected:
                self.metrics.records_rejected.inc(outcome.rejected)
                log.warning("server refused %d records of %s: %s", outcome.rejected, batch.key, outcome.message)
            return
        if outcome.result is ExportResult.TOO_LARGE:
            parts = split_logs(batch, self.output.gzip)
            if parts is not None:
                self.spool.replace(batch, parts)
                return
        log.error("batch %s refused for good (%s): %s; kept under spool/rejected", batch.key, outcome.status,
                  outcome.message)
        self.metrics.batches_rejected.inc()
        self._done(batch, rejected=True)

    def _done(self, batch: Batch, rejected: bool = False) -> None:
        """Free the batch; the file is acknowledged up to the first of its batches still waiting."""
        self.spool.done(batch, rejected)
        waiting = [b.start for b in self.spool.pending_for(batch.source)]
        self.positions.acknowledge(batch.source, min([*waiting, batch.end]), all_done=not waiting)

    def close(self, timeout: float) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout)
        self.exporter.close()
