"""Host metrics on an interval, as an OTLP metrics request through the same spool as logs.

Counters are cumulative monotonic sums, so the Prometheus translation keeps node_exporter's names.
When the spool is full a collection is skipped (and counted): a later one supersedes it.
"""

from __future__ import annotations

import logging
import threading
import time

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1.metrics_pb2 import AGGREGATION_TEMPORALITY_CUMULATIVE, NumberDataPoint

from meshscope.agent.config import HostMetrics
from meshscope.agent.encode import SCOPE, compress
from meshscope.agent.procfs import COLLECTORS, Sample
from meshscope.agent.spool import Spool
from meshscope.agent.telemetry import AgentMetrics

log = logging.getLogger(__name__)


def collect(spec: HostMetrics) -> list[Sample]:
    out: list[Sample] = []
    for name in spec.collectors:
        try:
            out += COLLECTORS[name](spec.proc_root)
        except (OSError, ValueError, IndexError) as exc:
            log.debug("host metrics collector %s failed: %s", name, exc)
    return out


def metrics_request(samples: list[Sample], resource: dict[str, str], now_ns: int, start_ns: int) -> bytes:
    req = ExportMetricsServiceRequest()
    rm = req.resource_metrics.add()
    rm.resource.attributes.extend(KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in resource.items())
    sm = rm.scope_metrics.add()
    sm.scope.name = SCOPE
    by_name: dict[str, list[Sample]] = {}
    for s in samples:
        by_name.setdefault(s.name, []).append(s)
    for name, group in by_name.items():
        metric = sm.metrics.add()
        metric.name = name
        if group[0].counter:
            metric.sum.is_monotonic = True
            metric.sum.aggregation_temporality = AGGREGATION_TEMPORALITY_CUMULATIVE
            points = metric.sum.data_points
        else:
            points = metric.gauge.data_points
        for s in group:
            p = NumberDataPoint(time_unix_nano=now_ns, start_time_unix_nano=start_ns if s.counter else 0,
                                as_double=s.value)
            p.attributes.extend(KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in s.labels.items())
            points.append(p)
    return bytes(req.SerializeToString())


class HostMetricsCollector:
    def __init__(self, spec: HostMetrics, host: str, spool: Spool, gzip_body: bool, metrics: AgentMetrics) -> None:
        self.spec, self.spool, self.gzip, self.metrics = spec, spool, gzip_body, metrics
        self.resource = {"host.name": host, "service.name": "node", "service.instance.id": host}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="host-metrics", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def collect_once(self) -> bool:
        now = time.time_ns()
        samples = collect(self.spec)
        boot = next((s.value for s in samples if s.name == "node_boot_time_seconds"), 0.0)
        body = compress(metrics_request(samples, self.resource, now, int(boot * 1e9)), self.gzip)
        key = f"metrics:{self.resource['host.name']}:{now}"
        if not self.spool.put(key, "metrics", "host_metrics", 0, 0, len(samples), body, wait=False):
            self.metrics.samples_skipped.inc()
            return False
        return True

    def _run(self) -> None:
        while not self.stop.is_set():
            self.collect_once()
            self.stop.wait(self.spec.interval)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
