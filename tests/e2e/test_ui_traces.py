"""The Traces UI in Debian's Chromium against a real server, fed a trace by the OpenTelemetry SDK."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import SpanKind, Status, StatusCode
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.e2e

GATEWAY, ORDERS, PAYMENTS = "shop-gateway", "shop-orders", "shop-payments"

# (depth, span name) in waterfall order: children by start time.
EXPECTED_WATERFALL = [
    (0, "GET /checkout"),
    (1, "POST /orders"),
    (2, "create order"),
    (3, "SELECT orders"),
    (3, "charge card"),
    (1, "render page"),
]


@dataclass
class SentTrace:
    trace_id: str
    error_span_id: str


def _provider(service: str, endpoint: str) -> TracerProvider:
    provider = TracerProvider(
        resource=Resource.create({"service.name": service, "host.name": f"{service}-1"})
    )
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=endpoint, timeout=10)))
    return provider


def _charge_card(tracer: trace.Tracer) -> str:
    with tracer.start_as_current_span("charge card", kind=SpanKind.SERVER, record_exception=False) as span:
        span.set_attribute("payment.amount", 42.5)
        try:
            raise ValueError("card declined")
        except ValueError as error:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, "card declined"))
        return format(span.get_span_context().span_id, "016x")


def _send_checkout_trace(otlp_http_url: str) -> SentTrace:
    """gateway → orders → (database call, payments with an exception), sent with the real SDK."""
    endpoint = f"{otlp_http_url}/v1/traces"
    providers = {name: _provider(name, endpoint) for name in (GATEWAY, ORDERS, PAYMENTS)}
    gateway, orders, payments = (providers[name].get_tracer("e2e") for name in (GATEWAY, ORDERS, PAYMENTS))
    with gateway.start_as_current_span("GET /checkout", kind=SpanKind.SERVER) as root:
        root.set_attribute("http.request.method", "GET")
        with gateway.start_as_current_span("POST /orders", kind=SpanKind.CLIENT):
            time.sleep(0.002)
            with orders.start_as_current_span("create order", kind=SpanKind.SERVER):
                with orders.start_as_current_span("SELECT orders", kind=SpanKind.CLIENT) as db:
                    db.set_attribute("db.system", "sqlite")
                    time.sleep(0.002)
                time.sleep(0.002)
                error_span_id = _charge_card(payments)
        time.sleep(0.002)
        with gateway.start_as_current_span("render page"):
            time.sleep(0.002)
        trace_id = format(root.get_span_context().trace_id, "032x")
    for provider in providers.values():
        assert provider.force_flush(10_000)
        provider.shutdown()
    return SentTrace(trace_id, error_span_id)


def _wait_for_trace(http_url: str, trace_id: str, spans: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        reply = httpx.get(f"{http_url}/api/traces/{trace_id}", timeout=10)
        if reply.status_code == 200 and len((reply.json().get("data") or [{}])[0].get("spans", [])) >= spans:
            return
        last = f"{reply.status_code} {reply.text[:300]}"
        time.sleep(0.2)
    raise AssertionError(f"trace {trace_id} not queryable after {timeout}s: {last}")


@pytest.fixture(scope="module")
def sent_trace(meshscope_server: Any) -> SentTrace:
    sent = _send_checkout_trace(meshscope_server.otlp_http_url)
    _wait_for_trace(meshscope_server.http_url, sent.trace_id, spans=len(EXPECTED_WATERFALL))
    return sent


@pytest.fixture
def ui(page: Page) -> Iterator[Page]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(20_000)
    yield page
    assert errors == [], f"uncaught errors in the page: {errors}"


def _waterfall(page: Page) -> list[tuple[int, str]]:
    rows = page.get_by_test_id("span-row")
    expect(rows).to_have_count(len(EXPECTED_WATERFALL))
    cells = rows.evaluate_all("rows => rows.map(r => [Number(r.dataset.depth), r.dataset.spanName])")
    return [(depth, name) for depth, name in cells]


def _span_row(page: Page, name: str) -> Locator:
    return page.locator(f'[data-testid="span-row"][data-span-name="{name}"]')


def _assert_waterfall(page: Page) -> None:
    assert _waterfall(page) == EXPECTED_WATERFALL
    services = _span_row(page, "charge card").get_attribute("data-service")
    assert services == PAYMENTS
    expect(page.get_by_test_id("span-error-marker")).to_have_count(1)
    expect(_span_row(page, "charge card")).to_have_attribute("data-error", "true")
    expect(_span_row(page, "charge card").get_by_test_id("span-error-marker")).to_be_visible()


def _assert_exception_detail(page: Page, sent: SentTrace) -> None:
    detail = page.get_by_test_id("span-detail")
    expect(detail).to_have_attribute("data-span-id", sent.error_span_id)
    expect(detail.get_by_test_id("span-status")).to_contain_text("ERROR")
    expect(detail.get_by_test_id("exception-type")).to_have_text("ValueError")
    expect(detail.get_by_test_id("exception-message")).to_have_text("card declined")
    stack = detail.get_by_test_id("exception-stacktrace")
    expect(stack).to_contain_text("Traceback (most recent call last)")
    expect(stack).to_contain_text('raise ValueError("card declined")')
    assert stack.evaluate("el => el.tagName") == "PRE"


def test_search_open_and_inspect_a_trace(ui: Page, meshscope_server: Any, sent_trace: SentTrace) -> None:
    ui.goto(f"{meshscope_server.http_url}/traces")
    ui.get_by_test_id("search-service").select_option(GATEWAY)
    ui.get_by_test_id("search-submit").click()

    row = ui.locator(f'[data-testid="trace-row"][data-trace-id="{sent_trace.trace_id}"]')
    expect(row).to_contain_text("GET /checkout")
    expect(row.get_by_test_id("trace-error-count")).to_contain_text("1")
    assert parse_qs(urlparse(ui.url).query)["service"] == [GATEWAY]

    row.click()
    expect(ui).to_have_url(f"{meshscope_server.http_url}/traces/{sent_trace.trace_id}")
    expect(ui.get_by_test_id("trace-header")).to_contain_text("GET /checkout")
    _assert_waterfall(ui)

    _span_row(ui, "charge card").click()
    _assert_exception_detail(ui, sent_trace)

    ui.reload()
    _assert_waterfall(ui)
    _assert_exception_detail(ui, sent_trace)


def test_trace_url_opens_directly_and_links_to_its_logs(
    ui: Page, meshscope_server: Any, sent_trace: SentTrace
) -> None:
    ui.goto(f"{meshscope_server.http_url}/traces/{sent_trace.trace_id}")
    _assert_waterfall(ui)

    _span_row(ui, "POST /orders").get_by_test_id("span-toggle").click()
    rows = ui.get_by_test_id("span-row")
    expect(rows).to_have_count(3)
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.spanName)") == [
        "GET /checkout",
        "POST /orders",
        "render page",
    ]

    link = ui.get_by_test_id("logs-link")
    href = link.get_attribute("href") or ""
    query = parse_qs(urlparse(href).query)
    assert urlparse(href).path == "/logs"
    assert query["traceId"] == [sent_trace.trace_id]
    assert int(query["from"][0]) < int(query["to"][0])
    link.click()
    expect(ui.get_by_test_id("logs-trace-id")).to_have_text(sent_trace.trace_id)

    ui.goto(f"{meshscope_server.http_url}/traces/{'0' * 31}1")
    expect(ui.get_by_test_id("error-banner")).to_contain_text("trace not found")
