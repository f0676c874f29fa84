"""The meshscope server: settings in, storage and write path up, HTTP and gRPC doors open.

:class:`Meshscope` owns the lifetime of everything: start opens storage, migrates, replays the
spool and starts writers; stop closes the doors first, then flushes what was accepted.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future

from meshscope.config import Settings
from meshscope.decode.otlp.requests import DecodedRequest
from meshscope.errors import Unavailable
from meshscope.scrape.manager import ScrapeManager
from meshscope.selfmetrics import GaugeCollector, SelfMetrics
from meshscope.storage import migrate
from meshscope.storage.dedup import DedupLog
from meshscope.storage.executor import Executor, open_executor
from meshscope.storage.insert_spec import write_streams
from meshscope.storage.writer import TableWriter, WriteResult, WriterLimits, digest_of
from meshscope.traces.store import TraceStore

log = logging.getLogger(__name__)


class Meshscope:
    """Storage, writers and stores of one server process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = SelfMetrics()
        self.executor: Executor | None = None
        self.writers: dict[str, TableWriter] = {}
        self.scrape: ScrapeManager | None = None
        self.ready = False

    def start(self) -> None:
        s = self.settings
        s.data_dir.mkdir(parents=True, exist_ok=True)
        self.executor = open_executor(s.storage.url, s.chdb_path, s.storage.database, s.storage.cluster,
                                      s.storage.username, s.storage.password, s.storage.uncompressed_cache_mb)
        migrate.apply(self.executor, s.retention)
        suffix = "" if not s.storage.url else "-" + s.storage.database
        dedup = DedupLog(s.spool_dir / f"dedup{suffix}.log", s.ingest.dedup_window)
        limits = WriterLimits(s.ingest.flush_rows, s.ingest.flush_interval, s.ingest.queue_max_rows,
                              s.ingest.queue_max_bytes, s.ingest.batch_max_rows)
        for name, spec in write_streams(s.storage.database).items():
            self.writers[name] = TableWriter(spec, self.executor, s.spool_dir / name, dedup, limits,
                                             self.metrics.observe_insert)
        for writer in self.writers.values():
            writer.start()
        self.scrape = ScrapeManager(s.scrape_configs, lambda stream, body, rows: self.submit_body(
            stream, "metrics", "scrape", body, rows))
        self.scrape.start()
        self._register_gauges()
        self.ready = True

    def _register_gauges(self) -> None:
        self.metrics.add_collector(GaugeCollector(
            "meshscope_write_queue_rows", "Rows accepted and waiting for their insert.", "table",
            lambda: [(w.spec.table, float(w.queue_rows)) for w in self.writers.values()]))
        self.metrics.add_collector(GaugeCollector(
            "meshscope_write_queue_bytes", "Bytes of request bodies waiting for their insert.", "table",
            lambda: [(w.spec.table, float(w.queue_bytes)) for w in self.writers.values()]))
        self.metrics.add_collector(GaugeCollector(
            "meshscope_storage_active_parts", "Active MergeTree parts per table (too many slows inserts).",
            "table", self._parts))

    def _parts(self) -> list[tuple[str, float]]:
        assert self.executor is not None
        rows = self.executor.rows(
            f"SELECT table, count() AS n FROM system.parts WHERE database = '{self.settings.storage.database}' "
            "AND active GROUP BY table")
        return [(r["table"], float(r["n"])) for r in rows]

    @property
    def traces(self) -> TraceStore:
        assert self.executor is not None, "server not started"
        return TraceStore(self.executor)

    def submit(self, request: DecodedRequest, protocol: str,
               idempotency_key: str = "") -> Future[WriteResult] | None:
        """Queue the accepted part of an OTLP request; None when nothing in it is storable."""
        return self.submit_body(f"otlp_{request.signal.value}", request.signal.value, protocol, request.body,
                                request.accepted, request.rejected, idempotency_key)

    def submit_body(self, stream: str, signal: str, protocol: str, body: bytes, accepted: int,
                    rejected: int = 0, idempotency_key: str = "") -> Future[WriteResult] | None:
        """Queue a body for the writer of ``stream``; the future resolves once its rows are stored.

        ``signal`` and ``protocol`` label the self-metrics; ``rejected`` items were already refused."""
        if rejected:
            self.metrics.rejected.labels(signal, protocol).inc(rejected)
        if accepted == 0:
            return None
        try:
            future = self.writers[stream].submit(body, accepted, digest_of(body, idempotency_key))
        except Unavailable:
            self.metrics.refused.labels(signal, protocol, "429").inc()
            raise
        future.add_done_callback(lambda f: self._count(f, signal, protocol))
        return future

    def _count(self, future: Future[WriteResult], signal: str, protocol: str) -> None:
        if future.exception() is not None:
            return
        result = future.result()
        if result.duplicate:
            self.metrics.duplicates.labels(signal).inc()
        else:
            self.metrics.accepted.labels(signal, protocol).inc(result.rows)

    async def write(self, request: DecodedRequest, protocol: str,
                    idempotency_key: str = "") -> WriteResult | None:
        # off the event loop: hashing a large body for its digest takes milliseconds
        future = await asyncio.to_thread(self.submit, request, protocol, idempotency_key)
        if future is None:
            return None
        return await asyncio.shield(asyncio.wrap_future(future))

    def stop(self) -> None:
        """Flush accepted data and close storage."""
        self.ready = False
        if self.scrape is not None:
            self.scrape.stop()
        for writer in self.writers.values():
            writer.stop()
        if self.writers:
            next(iter(self.writers.values())).dedup.close()
        if self.executor is not None:
            self.executor.close()
            self.executor = None

