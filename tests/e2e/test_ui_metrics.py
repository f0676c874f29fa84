"""The Metrics explorer in Debian's Chromium against a real server: series remote-written as Prometheus
sends them (with an exemplar pointing at a trace sent by the OpenTelemetry SDK), and a histogram the
OpenTelemetry SDK recorded inside a span, queried through the UI."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from playwright.sync_api import Page, expect

from meshscope.decode.prometheus.prompb import encode_write_request
from support.otel import Telemetry
from support.prom import post_write

pytestmark = pytest.mark.e2e

METRIC = "shopui_requests_total"
NOW_MS = int(time.time()) * 1000
STEP_MS = 15_000
POINTS = 40  # ten minutes


def _send_trace(otlp_http_url: str) -> str:
    provider = TracerProvider(resource=Resource.create({"service.name": "shopui-api"}))
    exporter = OTLPSpanExporter(endpoint=f"{otlp_http_url}/v1/traces", timeout=10)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("e2e").start_as_current_span("GET /slow") as span:
        trace_id = format(span.get_span_context().trace_id, "032x")
    assert provider.force_flush(10_000)
    provider.shutdown()
    return trace_id


def _write_series(http_url: str, trace_id: str) -> None:
    samples = []
    for code, per_step in (("200", 10.0), ("500", 1.0)):
        labels = {"__name__": METRIC, "job": "shopui", "code": code}
        samples += [(labels, NOW_MS - (POINTS - i) * STEP_MS, i * per_step) for i in range(POINTS + 1)]
    exemplar = ({"__name__": METRIC, "job": "shopui", "code": "500"}, {"trace_id": trace_id}, NOW_MS - 5 * 60_000, 20.0)
    reply = post_write(http_url, encode_write_request(samples, [exemplar]))
    assert reply.status_code == 204, reply.text


@pytest.fixture(scope="module")
def trace_id(meshscope_server: Any, wait_json: Any) -> str:
    url = meshscope_server.http_url
    sent = _send_trace(meshscope_server.otlp_http_url)
    _write_series(url, sent)
    wait_json(f"{url}/api/v1/query", {"query": f"count({METRIC})", "time": NOW_MS / 1000},
              lambda doc: doc["data"]["result"] and doc["data"]["result"][0]["value"][1] == "2")
    wait_json(f"{url}/api/traces/{sent}", {}, lambda doc: bool(doc.get("data")))
    return sent


def _params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_query_with_completion_chart_legend_and_tooltip(ui: Page, meshscope_server: Any, trace_id: str) -> None:
    ui.goto(f"{meshscope_server.http_url}/explore")
    editor = ui.get_by_test_id("promql-input-0")
    editor.click()
    editor.press_sequentially("sum by (code) (rate(shopui_req")
    expect(ui.get_by_test_id("suggestion").first).to_have_text(METRIC)
    editor.press("Enter")
    editor.press_sequentially('{job="')
    expect(ui.get_by_test_id("suggestions")).to_contain_text("shopui")
    ui.get_by_test_id("suggestion").filter(has_text="shopui").click()
    editor.press_sequentially("}[2m]))")
    expect(editor).to_have_value(f'sum by (code) (rate({METRIC}{{job="shopui"}}[2m]))')
    editor.press("Enter")

    assert _params(ui)["q"] == [f'sum by (code) (rate({METRIC}{{job="shopui"}}[2m]))']
    chart = ui.get_by_test_id("ts-chart")
    expect(chart).to_have_attribute("data-series-count", "2")
    items = ui.get_by_test_id("legend-item")
    expect(items).to_have_text(['{code="200"}', '{code="500"}'])

    items.first.click()
    expect(items.first).to_have_attribute("aria-pressed", "false")
    assert ui.evaluate("window.__charts.at(-1).series[1].show") is False
    items.first.click()
    assert ui.evaluate("window.__charts.at(-1).series[1].show") is True

    over = ui.locator(".u-over")
    box = over.bounding_box()
    assert box is not None
    ui.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
    tooltip = ui.get_by_test_id("chart-tooltip")
    expect(tooltip).to_contain_text('{code="200"}')
    expect(tooltip).to_contain_text('{code="500"}')


def test_exemplar_opens_its_trace(ui: Page, meshscope_server: Any, trace_id: str) -> None:
    ui.goto(f"{meshscope_server.http_url}/explore?q={METRIC}&from=now-30m&to=now")
    expect(ui.get_by_test_id("ts-chart")).to_have_attribute("data-series-count", "2")
    exemplar = ui.get_by_test_id("exemplar")
    expect(exemplar).to_have_count(1)
    expect(exemplar).to_have_attribute("data-trace-id", trace_id)
    exemplar.click()
    expect(ui).to_have_url(f"{meshscope_server.http_url}/traces/{trace_id}?from=now-30m&to=now")
    expect(ui.get_by_test_id("trace-header")).to_contain_text("GET /slow")


def test_drag_zooms_the_global_range(ui: Page, meshscope_server: Any, trace_id: str, drag_across: Any) -> None:
    ui.goto(f"{meshscope_server.http_url}/explore?q={METRIC}&step=30s")
    expect(ui.get_by_test_id("ts-chart")).to_have_attribute("data-series-count", "2")
    drag_across(ui, ui.locator(".u-over"), 0.5, 0.7)
    ui.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("from", ["now"])[0].isdigit())
    params = _params(ui)
    start, end = int(params["from"][0]), int(params["to"][0])
    assert NOW_MS - 40 * 60_000 < start < end <= NOW_MS + 60 * 60_000
    assert 0.15 < (end - start) / 3_600_000 < 0.25
    assert params["step"] == ["30s"]
    expect(ui.get_by_test_id("graph-meta")).to_contain_text("step 30s")


def test_table_view_and_api_errors(ui: Page, meshscope_server: Any, trace_id: str) -> None:
    ui.goto(f"{meshscope_server.http_url}/explore?q=sum%20by%20(code)%20({METRIC})")
    ui.get_by_test_id("tab-table").click()
    assert _params(ui)["tab"] == ["table"]
    rows = ui.get_by_test_id("instant-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text('{code="200"}')
    expect(rows.first).to_contain_text("400")

    ui.get_by_test_id("add-query").click()
    second = ui.get_by_test_id("promql-input-1")
    second.fill("rate(")
    second.press("Enter")
    assert _params(ui)["q"] == [f"sum by (code) ({METRIC})", "rate("]
    banner = ui.get_by_test_id("error-banner")
    expect(banner).to_contain_text("Query B: bad_data:")
    expect(ui.get_by_test_id("instant-table")).to_have_count(1)


def test_otel_sdk_histogram_exemplar_opens_its_trace(ui: Page, meshscope_server: Any, wait_json: Any) -> None:
    """A histogram recorded by the OpenTelemetry SDK inside a span carries that span's trace as an exemplar."""
    telemetry = Telemetry(meshscope_server, "shopui-otel", "http")
    latency = telemetry.meter.create_histogram("shopui.checkout.duration", unit="s")
    with telemetry.tracer.start_as_current_span("POST /checkout") as span:
        latency.record(0.42, {"http.route": "/checkout"})
        trace_id = format(span.get_span_context().trace_id, "032x")
    telemetry.flush()
    telemetry.shutdown()
    metric = "shopui_checkout_duration_seconds_bucket"
    url = meshscope_server.http_url
    wait_json(f"{url}/api/v1/query_exemplars", {"query": metric},
              lambda doc: any(e["labels"].get("trace_id") == trace_id for s in doc["data"] for e in s["exemplars"]))
    wait_json(f"{url}/api/traces/{trace_id}", {}, lambda doc: bool(doc.get("data")))

    ui.goto(f"{url}/explore?q={metric}&from=now-15m&to=now")
    expect(ui.get_by_test_id("ts-chart")).to_be_visible()
    exemplar = ui.locator(f'[data-testid="exemplar"][data-trace-id="{trace_id}"]')
    expect(exemplar).to_have_count(1)
    exemplar.click()
    expect(ui.get_by_test_id("trace-header")).to_contain_text("POST /checkout")
