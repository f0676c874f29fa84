"""What one LogQL query runs with: storage, limits, a deadline, and the statistics it gathers."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyarrow as pa

from meshscope.errors import BadData, QueryTimeout, Unavailable
from meshscope.logql.line_parsers import sanitize
from meshscope.logql.pipeline import Entry
from meshscope.logql.sqlgen import COLUMNS
from meshscope.storage.executor import Executor

_MAP_VALUES = re.compile(r"\b(?:labels|attributes)\[")


@dataclass(frozen=True)
class QueryLimits:
    """Loki's defaults where Loki has one (``max_entries_limit_per_query`` 5000)."""

    timeout_s: float = 60.0
    max_entries: int = 5000
    max_lines: int = 20_000_000  # lines the Python pipeline may look at in one query
    max_series: int = 50_000
    max_points: int = 11_000  # per series, as Loki's query_range (end-start)/step cap


@dataclass
class QueryStats:
    lines: int = 0
    bytes: int = 0
    entries: int = 0
    queries: int = 0
    started: float = field(default_factory=time.monotonic)

    def summary(self) -> dict[str, Any]:
        """Loki's ``stats`` block (the summary is what Grafana shows; the rest keeps the shape)."""
        elapsed = max(time.monotonic() - self.started, 1e-9)
        summary = {"bytesProcessedPerSecond": int(self.bytes / elapsed),
                   "linesProcessedPerSecond": int(self.lines / elapsed), "totalBytesProcessed": self.bytes,
                   "totalLinesProcessed": self.lines, "execTime": elapsed, "queueTime": 0, "subqueries": 0,
                   "totalEntriesReturned": self.entries, "splits": self.queries, "shards": 1,
                   "totalPostFilterLines": self.entries, "totalStructuredMetadataBytesProcessed": 0}
        store = {"totalChunksRef": 0, "totalChunksDownloaded": 0, "chunksDownloadTime": 0,
                 "queryReferencedStructuredMetadata": False,
                 "chunk": {"headChunkBytes": 0, "headChunkLines": 0, "decompressedBytes": self.bytes,
                           "decompressedLines": self.lines, "compressedBytes": 0, "totalDuplicates": 0,
                           "postFilterLines": self.entries, "headChunkStructuredMetadataBytes": 0,
                           "decompressedStructuredMetadataBytes": 0}}
        cache = {k: {"entriesFound": 0, "entriesRequested": 0, "entriesStored": 0, "bytesReceived": 0,
                     "bytesSent": 0, "requests": 0, "downloadTime": 0, "queryLengthServed": 0}
                 for k in ("chunk", "index", "result", "statsResult", "volumeResult", "seriesResult",
                           "labelResult", "instantMetricResult")}
        return {"summary": summary, "querier": {"store": store}, "ingester": {
            "totalReached": 0, "totalChunksMatched": 0, "totalBatches": 0, "totalLinesSent": 0, "store": store},
            "cache": cache}


class QueryContext:
    def __init__(self, executor: Executor, limits: QueryLimits | None = None) -> None:
        self.ex = executor
        self.db = executor.database
        self.limits = limits or QueryLimits()
        self.stats = QueryStats()
        self.deadline = time.monotonic() + self.limits.timeout_s

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise QueryTimeout(f"query timed out after {self.limits.timeout_s:g}s: narrow the time range "
                               "or the stream selector, or add line filters")

    def settings(self, sql: str = "") -> dict[str, str | int | float]:
        left = max(1, int(self.deadline - time.monotonic() + 0.999))
        settings: dict[str, str | int | float] = {"max_execution_time": left, "readonly": 2}
        if _MAP_VALUES.search(sql):
            # ``labels['job']`` and ``labels['level']`` read as subcolumns decode the map once each; the
            # whole map once is ~3x cheaper for sum by (level) (count_over_time(...)) (bench/logql_scans.py).
            # Queries of keys only (``mapKeys``, ``mapContains``) keep the cheap ``labels.keys`` subcolumn.
            settings["optimize_functions_to_subcolumns"] = 0
        return settings

    def arrow(self, sql: str) -> pa.Table:
        self.check_time()
        self.stats.queries += 1
        try:
            return self.ex.arrow(sql, self.settings(sql))
        except Unavailable as exc:
            if "TIMEOUT" in exc.message or "Timeout" in exc.message:
                raise QueryTimeout(f"query timed out after {self.limits.timeout_s:g}s") from None
            raise

    def rows(self, sql: str) -> list[dict[str, Any]]:
        self.check_time()
        self.stats.queries += 1
        return self.ex.rows(sql, self.settings(sql))

    def count_line(self, entry_line_bytes: int) -> None:
        self.stats.lines += 1
        self.stats.bytes += entry_line_bytes
        if self.stats.lines > self.limits.max_lines:
            raise BadData(f"the query would process more than {self.limits.max_lines} lines: narrow the "
                          "time range or the stream selector, or add line filters before parsers")


_DETECTED = ((21, "critical"), (17, "error"), (13, "warn"), (9, "info"), (5, "debug"), (1, "trace"))


@lru_cache(maxsize=32)
def detected_level(severity_number: int) -> str:
    """Loki's ``detected_level`` word for a normalised severity number ('' when unknown)."""
    return next((word for floor, word in _DETECTED if severity_number >= floor), "")


def entries_of(table: pa.Table) -> Iterator[Entry]:
    """Pipeline entries of fetched rows (structured metadata: attributes, trace and span ids)."""
    if table.num_rows == 0:
        return
    cols = {name: table.column(name).to_pylist() for name in table.column_names}
    for ts, labels, body, attrs, trace_id, span_id, severity, number in zip(
            cols["ts"], cols["labels"], cols["body"], cols["attributes"], cols["trace_id"], cols["span_id"],
            cols["severity_text"], cols["severity_number"], strict=True):
        lbls = dict(labels)
        meta = {sanitize(k): v for k, v in attrs} if attrs else {}
        if trace_id:
            meta["trace_id"] = trace_id
        if span_id:
            meta["span_id"] = span_id
        if severity:
            meta.setdefault("severity_text", severity)
        if number:
            meta.setdefault("detected_level", detected_level(number))
        yield Entry(int(ts), body, lbls, meta, frozenset(lbls))


def fetch(ctx: QueryContext, where: str, backward: bool, first_chunk: int = 5000) -> Iterator[Entry]:
    """All matching rows in time order, fetched in growing chunks (keyset pages ``LIMIT n WITH TIES``)."""
    order = "DESC" if backward else "ASC"
    bound = ""
    chunk = first_chunk
    while True:
        table = ctx.arrow(f"SELECT {COLUMNS} FROM {ctx.db}.logs {where}{bound} "
                          f"ORDER BY timestamp {order} LIMIT {chunk} WITH TIES")
        yield from entries_of(table)
        if table.num_rows < chunk:
            return
        last = table.column("ts")[table.num_rows - 1].as_py()
        bound = f" AND timestamp {'<' if backward else '>'} fromUnixTimestamp64Nano(toInt64({int(last)}))"
        chunk = min(chunk * 4, 500_000)

