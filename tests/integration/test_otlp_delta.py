"""OTLP delta temporality from the real OpenTelemetry SDK becomes cumulative Prometheus series: sums,
histograms and exponential histograms, across a server restart, without double counting replays or
late points."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.metrics.v1.metrics_pb2 import AggregationTemporality as Temporality
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, PeriodicExportingMetricReader
from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation
from opentelemetry.sdk.resources import Resource

from support.server import ServerProcess

PB = {"content-type": "application/x-protobuf"}


def value_at(server: ServerProcess, q: str, at: float) -> float | None:
    r = server.get("/api/v1/query", query=q, time=at)
    assert r.status_code == 200, r.text
    result = r.json()["data"]["result"]
    return float(result[0]["value"][1]) if result else None


def wait_for(server: ServerProcess, q: str, expected: float, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while value_at(server, q, time.time()) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    assert value_at(server, q, time.time()) == expected, q


def stored_samples(server: ServerProcess, name: str) -> list[tuple[float, float]]:
    r = server.get("/api/v1/query", query=f"{name}[1h]", time=time.time())
    assert r.status_code == 200, r.text
    return [(float(t), float(v)) for t, v in r.json()["data"]["result"][0]["values"]]


def extrapolated_increase(samples: list[tuple[float, float]], start: float, end: float) -> float:
    """Prometheus 2.42's increase() for a counter without resets (promql/functions.go extrapolatedRate)."""
    (t0, v0), (tn, vn) = samples[0], samples[-1]
    result, sampled = vn - v0, tn - t0
    threshold = sampled / (len(samples) - 1) * 1.1
    to_start, to_end = t0 - start, end - tn
    if result > 0 and v0 >= 0:
        to_start = min(to_start, sampled * (v0 / result))
    interval = sampled
    interval += to_start if to_start < threshold else threshold / 1.1 / 2
    interval += to_end if to_end < threshold else threshold / 1.1 / 2
    return result * interval / sampled


@pytest.fixture()
def server(tmp_path):
    s = ServerProcess(tmp_path / "data").start()
    yield s
    s.stop()


def delta_provider(server: ServerProcess, service: str) -> MeterProvider:
    exporter = OTLPMetricExporter(endpoint=f"{server.otlp_http_url}/v1/metrics",
                                  preferred_temporality={Counter: AggregationTemporality.DELTA,
                                                         Histogram: AggregationTemporality.DELTA})
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    return MeterProvider(resource=Resource.create({"service.name": service, "service.instance.id": "i-1"}),
                         metric_readers=[reader])


def test_sdk_delta_counter_and_histogram_are_cumulative_and_survive_a_restart(server: ServerProcess) -> None:
    provider = delta_provider(server, f"svc-{uuid.uuid4().hex[:6]}")
    meter = provider.get_meter("tests")
    jobs = meter.create_counter("jobs.done")
    latency = meter.create_histogram("job.latency", unit="s")
    times = []
    for add, observed in ((5, [0.2, 3.0]), (7, [0.2]), (3, [20.0, 0.01])):
        jobs.add(add, {"queue": "q1"})
        for v in observed:
            latency.record(v)
        provider.force_flush()
        times.append(time.time())
        time.sleep(1.1)
    wait_for(server, "jobs_done_total", 15.0)
    assert [value_at(server, "jobs_done_total", t) for t in times] == [5.0, 12.0, 15.0]
    assert value_at(server, "job_latency_seconds_count", time.time()) == 5.0
    assert value_at(server, "job_latency_seconds_sum", time.time()) == pytest.approx(23.41)
    assert value_at(server, 'job_latency_seconds_bucket{le="+Inf"}', time.time()) == 5.0
    assert value_at(server, 'job_latency_seconds_bucket{le="5"}', time.time()) == 4.0

    now = int(time.time() * 1000) / 1000  # on the millisecond grid, as Prometheus reads a query time
    samples = stored_samples(server, "jobs_done_total")
    assert [v for _, v in samples] == [5.0, 12.0, 15.0]
    expected = extrapolated_increase(samples, now - 3600, now)
    assert value_at(server, "increase(jobs_done_total[1h])", now) == pytest.approx(expected)
    assert value_at(server, "rate(jobs_done_total[1h])", now) == pytest.approx(expected / 3600)
    assert value_at(server, "resets(jobs_done_total[1h])", now) == 0.0

    server.stop()
    server.start()
    jobs.add(4, {"queue": "q1"})
    provider.force_flush()
    wait_for(server, "jobs_done_total", 19.0)  # the running sum came back from storage
    provider.shutdown()


def _delta_request(name: str, points: list[tuple[int, int, float]]) -> bytes:
    req = ExportMetricsServiceRequest()
    rm = req.resource_metrics.add()
    rm.resource.attributes.add(key="service.name").value.string_value = "replayer"
    m = rm.scope_metrics.add().metrics.add()
    m.name = name
    m.sum.aggregation_temporality = Temporality.AGGREGATION_TEMPORALITY_DELTA
    m.sum.is_monotonic = True
    for start, end, v in points:
        p = m.sum.data_points.add(start_time_unix_nano=start, time_unix_nano=end, as_double=v)
        p.attributes.add(key="k").value.string_value = "v"
    return req.SerializeToString()


def test_replayed_and_late_deltas_are_not_counted_twice(server: ServerProcess) -> None:
    name = f"replayed_{uuid.uuid4().hex[:6]}"
    now_ns = time.time_ns() - 60 * 10**9
    s = 10**9
    first = _delta_request(name, [(now_ns, now_ns + 10 * s, 2.0), (now_ns + 10 * s, now_ns + 20 * s, 3.0)])
    for n in range(3):  # a client retrying: new idempotency keys each time, so only the sums can tell
        r = httpx.post(f"{server.otlp_http_url}/v1/metrics", content=first,
                       headers={**PB, "x-meshscope-idempotency-key": f"retry-{n}"}, timeout=30)
        assert r.status_code == 200, r.text
    late = _delta_request(name, [(now_ns + 5 * s, now_ns + 15 * s, 100.0)])  # older than the last point
    nxt = _delta_request(name, [(now_ns + 20 * s, now_ns + 30 * s, 1.0)])
    for body in (late, nxt):
        assert httpx.post(f"{server.otlp_http_url}/v1/metrics", content=body, headers=PB, timeout=30).status_code == 200
    wait_for(server, f"{name}_total", 6.0)
    assert [v for _, v in stored_samples(server, f"{name}_total")] == [2.0, 5.0, 6.0]


def test_sdk_delta_exponential_histogram_becomes_cumulative_classic_buckets(server: ServerProcess) -> None:
    """Each export has its own scale (the SDK picks the finest that fits that export's values); the
    running sum keeps the smaller one, and every bucket counts all values recorded so far up to its le."""
    exporter = OTLPMetricExporter(endpoint=f"{server.otlp_http_url}/v1/metrics",
                                  preferred_temporality={Histogram: AggregationTemporality.DELTA},
                                  preferred_aggregation={Histogram: ExponentialBucketHistogramAggregation()})
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    provider = MeterProvider(resource=Resource.create({"service.name": f"exp-{uuid.uuid4().hex[:6]}"}),
                             metric_readers=[reader])
    latency = provider.get_meter("tests").create_histogram("rpc.latency", unit="s")
    recorded: list[float] = []
    times = []
    for observed in ([0.2, 3.0, 0.7], [0.21], [20.0, 0.01, 1.5]):
        for v in observed:
            latency.record(v)
        recorded += observed
        provider.force_flush()
        times.append(time.time())
        time.sleep(1.1)
    provider.shutdown()
    wait_for(server, "rpc_latency_seconds_count", float(len(recorded)))
    assert [value_at(server, "rpc_latency_seconds_count", t) for t in times] == [3.0, 4.0, 7.0]
    assert value_at(server, "rpc_latency_seconds_sum", times[-1]) == pytest.approx(sum(recorded))
    stamps = {s["metric"]["le"]: float(s["value"][1]) for s in server.get(
        "/api/v1/query", query="timestamp(rpc_latency_seconds_bucket)", time=times[-1]).json()["data"]["result"]}
    latest = max(stamps.values())  # buckets of earlier, finer scales are still within the lookback
    buckets = {s["metric"]["le"]: float(s["value"][1]) for s in server.get(
        "/api/v1/query", query="rpc_latency_seconds_bucket", time=times[-1]).json()["data"]["result"]
        if stamps[s["metric"]["le"]] == latest}
    assert buckets.pop("+Inf") == 7.0
    assert len(buckets) >= 10  # 0.01 s to 20 s in buckets of at most a factor 2
    for le, count in buckets.items():
        assert count == sum(1 for v in recorded if v <= float(le)), (le, count)
    uppers = sorted(float(le) for le in buckets)
    assert all(b / a <= 2.0 + 1e-9 for a, b in zip(uppers, uppers[1:], strict=False))
