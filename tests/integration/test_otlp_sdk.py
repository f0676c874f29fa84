"""The real OpenTelemetry SDK exporters, gRPC and HTTP, send all three signals; we read them back."""

from __future__ import annotations

import uuid

import httpx
import pytest
from opentelemetry.trace import SpanKind, Status, StatusCode

from support.otel import Telemetry
from support.server import ServerProcess


def sql(server: ServerProcess, query: str) -> list[dict]:
    r = httpx.get(f"{server.http_url}/api/ms/sql", params={"query": query}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["data"]


@pytest.mark.parametrize("transport", ["grpc", "http"])
def test_traces_logs_metrics_arrive(meshscope_server: ServerProcess, transport: str) -> None:
    service = f"checkout-{transport}-{uuid.uuid4().hex[:6]}"
    t = Telemetry(meshscope_server, service, transport)  # type: ignore[arg-type]
    with t.tracer.start_as_current_span("GET /checkout", kind=SpanKind.SERVER,
                                        attributes={"http.status_code": 200, "tags": ["a", "b"]}) as root:
        trace_id = format(root.get_span_context().trace_id, "032x")
        with t.tracer.start_as_current_span("charge card", kind=SpanKind.CLIENT) as child:
            try:
                raise RuntimeError("card declined")
            except RuntimeError as exc:
                child.record_exception(exc)
                child.set_status(Status(StatusCode.ERROR, "declined"))
        t.logger.error("payment failed for %s", service)
    t.meter.create_counter("orders_created", unit="1").add(5, {"region": "eu"})
    t.meter.create_histogram("checkout_latency", unit="ms").record(42.0, {"region": "eu"})
    t.flush()

    r = httpx.get(f"{meshscope_server.http_url}/api/traces/{trace_id}", timeout=30)
    assert r.status_code == 200, r.text
    trace = r.json()["data"][0]
    spans = {s["operationName"]: s for s in trace["spans"]}
    assert set(spans) == {"GET /checkout", "charge card"}
    child = spans["charge card"]
    assert child["references"] == [{"refType": "CHILD_OF", "traceID": trace_id,
                                    "spanID": spans["GET /checkout"]["spanID"]}]
    tags = {tag["key"]: tag["value"] for tag in child["tags"]}
    assert tags["error"] is True and tags["otel.status_description"] == "declined"
    assert tags["span.kind"] == "client"
    events = child["logs"][0]["fields"]
    assert {"key": "event", "type": "string", "value": "exception"} in events
    stack = next(f["value"] for f in events if f["key"] == "exception.stacktrace")
    assert "RuntimeError: card declined" in stack
    root_tags = {tag["key"]: tag["value"] for tag in spans["GET /checkout"]["tags"]}
    assert root_tags["http.status_code"] == "200" and root_tags["tags"] == '["a","b"]'
    assert trace["processes"][spans["GET /checkout"]["processID"]]["serviceName"] == service

    logs = sql(meshscope_server, f"SELECT body, severity_text, severity_number, trace_id, labels "
                                 f"FROM meshscope.logs WHERE service_name = '{service}'")
    assert logs == [{"body": f"payment failed for {service}", "severity_text": "ERROR",
                     "severity_number": 17, "trace_id": trace_id,
                     "labels": {"service_name": service, "deployment_environment": "test",
                                "service_instance_id": t.resource.attributes["service.instance.id"]}}]

    points = sql(meshscope_server, f"SELECT metric_name, metric_type, value, count, sum, attributes, "
                                   f"is_monotonic, temporality FROM meshscope.otel_metrics "
                                   f"WHERE service_name = '{service}' ORDER BY metric_name")
    assert [p["metric_name"] for p in points] == ["checkout_latency", "orders_created"]
    hist, counter = points
    assert hist["metric_type"] == "histogram" and hist["count"] == 1 and hist["sum"] == 42.0
    assert counter["metric_type"] == "sum" and counter["value"] == 5 and counter["is_monotonic"] is True
    assert counter["temporality"] == "cumulative" and counter["attributes"] == {"region": "eu"}
    t.shutdown()


def test_jaeger_search_filters_and_order(meshscope_server: ServerProcess) -> None:
    service = f"search-{uuid.uuid4().hex[:6]}"
    t = Telemetry(meshscope_server, service, "http")
    ids = []
    for i in range(5):
        with t.tracer.start_as_current_span(f"op-{i % 2}", attributes={"n": i}) as span:
            ids.append(format(span.get_span_context().trace_id, "032x"))
            if i == 3:
                span.set_status(Status(StatusCode.ERROR))
    t.flush()
    base = meshscope_server.http_url

    r = httpx.get(f"{base}/api/traces", params={"service": service, "limit": 10})
    assert [tr["traceID"] for tr in r.json()["data"]] == list(reversed(ids))  # newest first
    r = httpx.get(f"{base}/api/traces", params={"service": service, "operation": "op-1"})
    assert {tr["traceID"] for tr in r.json()["data"]} == {ids[1], ids[3]}
    r = httpx.get(f"{base}/api/traces", params={"service": service, "tags": '{"n":"2"}'})
    assert [tr["traceID"] for tr in r.json()["data"]] == [ids[2]]
    r = httpx.get(f"{base}/api/ms/traces/search", params={"service": service, "tags": "error=true"})
    assert [tr["traceID"] for tr in r.json()["data"]] == [ids[3]]
    assert r.json()["data"][0]["errorCount"] == 1
    r = httpx.get(f"{base}/api/traces", params={"service": service, "limit": 2})
    assert len(r.json()["data"]) == 2

    assert service in httpx.get(f"{base}/api/services").json()["data"]
    ops = httpx.get(f"{base}/api/services/{service}/operations").json()["data"]
    assert ops == ["op-0", "op-1"]
    r = httpx.get(f"{base}/api/operations", params={"service": service})
    assert r.json()["data"] == [{"name": "op-0", "spanKind": "internal"}, {"name": "op-1", "spanKind": "internal"}]
    t.shutdown()


def test_search_rejects_bad_parameters(meshscope_server: ServerProcess) -> None:
    base = meshscope_server.http_url
    r = httpx.get(f"{base}/api/traces", params={"minDuration": "fast"})
    assert r.status_code == 400 and "minDuration" in r.json()["errors"][0]["msg"]
    r = httpx.get(f"{base}/api/traces", params={"start": "10", "end": "5"})
    assert r.status_code == 400
    r = httpx.get(f"{base}/api/traces/not-hex")
    assert r.status_code == 400
    r = httpx.get(f"{base}/api/traces/{'ab' * 16}")
    assert r.status_code == 404 and r.json()["errors"][0]["msg"] == "trace not found"
