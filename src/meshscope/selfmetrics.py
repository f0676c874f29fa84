"""meshscope's own Prometheus metrics: what it accepted, rejected, queued and how inserts go."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


class SelfMetrics:
    """One registry per server, so several servers in one process (tests) do not mix."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.accepted = Counter("meshscope_ingest_accepted_items_total",
                                "Items (spans, log records, points) accepted and stored.",
                                ["signal", "protocol"], registry=self.registry)
        self.rejected = Counter("meshscope_ingest_rejected_items_total",
                                "Items refused as invalid (reported to the client).",
                                ["signal", "protocol"], registry=self.registry)
        self.duplicates = Counter("meshscope_ingest_duplicate_requests_total",
                                  "Requests recognised as retries of stored requests and not stored again.",
                                  ["signal"], registry=self.registry)
        self.refused = Counter("meshscope_ingest_refused_requests_total",
                               "Requests answered with an error status.",
                               ["signal", "protocol", "code"], registry=self.registry)
        self.insert_seconds = Histogram("meshscope_storage_insert_duration_seconds",
                                        "Time one coalesced insert took.", ["table"], registry=self.registry,
                                        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.insert_rows = Counter("meshscope_storage_inserted_rows_total", "Rows inserted.", ["table"],
                                   registry=self.registry)

    def observe_insert(self, table: str, rows: int, seconds: float) -> None:
        self.insert_seconds.labels(table).observe(seconds)
        self.insert_rows.labels(table).inc(rows)

    def add_collector(self, collector: Collector) -> None:
        self.registry.register(collector)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class GaugeCollector(Collector):
    """Gauges read at scrape time (queue depth, parts count) from a callback."""

    def __init__(self, name: str, doc: str, label: str, read: Callable[[], Iterable[tuple[str, float]]]) -> None:
        self.name, self.doc, self.label, self.read = name, doc, label, read

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily(self.name, self.doc, labels=[self.label])
        try:
            for value_label, value in self.read():
                family.add_metric([value_label], value)
        except Exception:  # noqa: BLE001 - a scrape must not fail because storage is busy
            pass
        yield family
