"""OTLP metrics from the real OpenTelemetry SDK, queried as Prometheus series (Prometheus' OTLP naming)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.metrics import Observation
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, PeriodicExportingMetricReader
from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource

from support.server import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    s = ServerProcess(tmp_path_factory.mktemp("otlpprom") / "data").start()
    resource = Resource.create({"service.name": "checkout", "service.namespace": "shop",
                                "service.instance.id": "i-1", "host.name": "h1"})
    exporter = OTLPMetricExporter(endpoint=f"{s.otlp_http_url}/v1/metrics")
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    views = [View(instrument_name="rpc.latency", aggregation=ExponentialBucketHistogramAggregation(max_size=20))]
    provider = MeterProvider(resource=resource, metric_readers=[reader], views=views)
    meter = provider.get_meter("tests")
    requests = meter.create_counter("http.server.requests", unit="{request}", description="Requests served")
    duration = meter.create_histogram("http.server.duration", unit="ms", description="Request time")
    queue = meter.create_up_down_counter("queue.size")
    meter.create_observable_gauge("cpu.utilization", [lambda _o: [Observation(0.25, {"cpu": "0"})]], unit="1")
    rpc = meter.create_histogram("rpc.latency", unit="s")
    sent = meter.create_counter("network.io", unit="By")
    for i in range(20):
        requests.add(1, {"http.route": "/cart", "http.status_code": 200 if i % 5 else 500})
        duration.record(10 + i * 10, {"http.route": "/cart"})
        rpc.record(0.001 * (i + 1))
        sent.add(100)
    queue.add(5)
    queue.add(-2)
    provider.force_flush()
    delta_reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=f"{s.otlp_http_url}/v1/metrics",
                           preferred_temporality={Counter: AggregationTemporality.DELTA,
                                                  Histogram: AggregationTemporality.DELTA}),
        export_interval_millis=3_600_000)
    delta_provider = MeterProvider(resource=resource, metric_readers=[delta_reader])
    delta_provider.get_meter("tests").create_counter("delta.things").add(3)
    delta_provider.force_flush()
    time.sleep(0.5)
    yield s
    provider.shutdown()
    delta_provider.shutdown()
    s.stop()


def result(server: ServerProcess, q: str) -> list[dict]:  # type: ignore[type-arg]
    r = server.get("/api/v1/query", query=q)
    assert r.status_code == 200, r.text
    return list(r.json()["data"]["result"])


def test_names_follow_prometheus_otlp_translation(server: ServerProcess) -> None:
    names = set(server.get("/api/v1/label/__name__/values").json()["data"])
    assert {"http_server_requests_total", "http_server_duration_milliseconds_bucket",
            "http_server_duration_milliseconds_sum", "http_server_duration_milliseconds_count",
            "queue_size", "cpu_utilization_ratio", "rpc_latency_seconds_bucket", "network_io_bytes_total",
            "target_info"} <= names, names
    assert "delta_things_total" in names  # delta temporality is summed into a cumulative counter


def test_delta_counter_is_cumulative(server: ServerProcess) -> None:
    assert result(server, "delta_things_total")[0]["value"][1] == "3"


def test_labels_job_instance_and_target_info(server: ServerProcess) -> None:
    rows = result(server, 'http_server_requests_total{http_status_code="500"}')
    assert rows[0]["metric"] == {"__name__": "http_server_requests_total", "job": "shop/checkout", "instance": "i-1",
                                 "http_route": "/cart", "http_status_code": "500"}
    assert rows[0]["value"][1] == "4"
    info = result(server, "target_info")[0]["metric"]
    assert info["job"] == "shop/checkout" and info["instance"] == "i-1" and info["host_name"] == "h1"
    assert result(server, "queue_size")[0]["value"][1] == "3"


def test_histograms_become_buckets(server: ServerProcess) -> None:
    rows = result(server, "http_server_duration_milliseconds_bucket")
    buckets = {r["metric"]["le"]: float(r["value"][1]) for r in rows}
    assert buckets["+Inf"] == 20 and buckets["100"] == 10 and buckets["5"] == 0
    assert result(server, "http_server_duration_milliseconds_count")[0]["value"][1] == "20"
    q = result(server, "histogram_quantile(0.5, http_server_duration_milliseconds_bucket)")
    assert 90 <= float(q[0]["value"][1]) <= 110
    expo = {r["metric"]["le"]: float(r["value"][1]) for r in result(server, "rpc_latency_seconds_bucket")}
    assert expo["+Inf"] == 20 and len(expo) > 3
    assert sorted(expo.values()) == [expo[k] for k in sorted(expo, key=lambda x: float(x.replace("+Inf", "inf")))]


def test_metadata_from_otlp(server: ServerProcess) -> None:
    meta = server.get("/api/v1/metadata").json()["data"]
    assert meta["http_server_duration_milliseconds"] == [{"type": "histogram", "help": "Request time", "unit": "ms"}]
    assert meta["http_server_requests_total"][0]["type"] == "counter"
