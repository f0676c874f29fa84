"""The Logs page in Debian's Chromium against a real server, fed log records by the OpenTelemetry SDK."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

import pytest
from playwright.sync_api import Page, expect

from support.otel import Telemetry

pytestmark = pytest.mark.e2e

API, PAY, LIVE = "shoplogs-api", "shoplogs-pay", "shoplogs-live"
TEXT_TRACE_ID = "ab" * 16  # written inside a line, not stored beside it
REQUESTS = 8


@dataclass
class SentLogs:
    trace_id: str


def _send(server: Any) -> SentLogs:
    api, pay = Telemetry(server, API, "http"), Telemetry(server, PAY, "http")
    with pay.tracer.start_as_current_span("charge card") as span:
        pay.logger.info("charge attempt order=o-17")
        pay.logger.error("card declined for order o-17", extra={"order.id": "o-17"})
        trace_id = format(span.get_span_context().trace_id, "032x")
    for i in range(1, REQUESTS + 1):
        api.logger.info("request %d served path=/cart", i)
        time.sleep(0.002)
    api.logger.warning("slow upstream trace_id=%s", TEXT_TRACE_ID)
    for telemetry in (api, pay):
        telemetry.flush()
        telemetry.shutdown()
    return SentLogs(trace_id)


@pytest.fixture(scope="module")
def sent(meshscope_server: Any, wait_json: Any) -> SentLogs:
    logs = _send(meshscope_server)
    now = time.time_ns()
    params = {"query": '{service_name=~"shoplogs-.+"}', "start": now - 3600 * 10**9, "end": now + 60 * 10**9}
    wait_json(f"{meshscope_server.http_url}/loki/api/v1/query_range", params,
              lambda doc: sum(len(s["values"]) for s in doc["data"]["result"]) == REQUESTS + 3)
    wait_json(f"{meshscope_server.http_url}/api/traces/{logs.trace_id}", {}, lambda doc: bool(doc.get("data")))
    return logs


@pytest.fixture
def logs_ui(ui: Page, meshscope_server: Any) -> Iterator[Page]:
    ui.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=meshscope_server.http_url)
    yield ui


def _params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _texts(page: Page) -> list[str]:
    return page.get_by_test_id("log-text").all_inner_texts()


def test_simple_mode_levels_fields_and_copy(logs_ui: Page, meshscope_server: Any, sent: SentLogs) -> None:
    ui = logs_ui
    ui.goto(f"{meshscope_server.http_url}/logs")
    ui.get_by_test_id("logs-service").select_option(PAY)
    ui.get_by_test_id("level-error").click()
    ui.get_by_test_id("logs-words").fill("declined")
    expect(ui.get_by_test_id("compiled-logql")).to_have_text(
        f'{{service_name="{PAY}"}} |= "declined" | severity_text=~"(?i)(eror|err|error|severe)[0-9]*"')
    ui.get_by_test_id("logs-run").click()

    assert _params(ui) == {"service": [PAY], "level": ["error"], "words": ["declined"]}
    rows = ui.get_by_test_id("log-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-level", "error")
    expect(rows.first.get_by_test_id("log-text")).to_have_text("card declined for order o-17")

    rows.first.locator(".log-summary").click()
    detail = ui.get_by_test_id("log-detail")
    expect(detail.locator('[data-field="order_id"] .field-value')).to_have_text("o-17")
    expect(detail.locator('[data-field="trace"]')).to_contain_text(sent.trace_id)
    assert _params(ui)["line"] == [rows.first.get_attribute("data-line-id")]

    detail.get_by_test_id("copy-line").click()
    expect(detail.get_by_test_id("copy-line")).to_have_text("Copied")
    assert ui.evaluate("navigator.clipboard.readText()") == "card declined for order o-17"

    ui.reload()
    expect(ui.get_by_test_id("log-detail").locator('[data-field="order_id"]')).to_be_visible()

    ui.get_by_test_id("logs-words").fill("")
    ui.get_by_test_id("level-error").click()
    ui.get_by_test_id("logs-fields").fill("order.id=o-17")
    ui.get_by_test_id("logs-run").click()
    expect(ui.get_by_test_id("compiled-logql")).to_have_text(f'{{service_name="{PAY}"}} | order_id="o-17"')
    expect(ui.get_by_test_id("log-text")).to_have_text(["card declined for order o-17"])


def test_trace_links_both_ways(logs_ui: Page, meshscope_server: Any, sent: SentLogs) -> None:
    ui = logs_ui
    ui.goto(f"{meshscope_server.http_url}/logs?service={PAY}&words=declined")
    link = ui.get_by_test_id("log-trace-link")
    expect(link).to_have_attribute("data-trace-id", sent.trace_id)
    link.click()
    expect(ui).to_have_url(f"{meshscope_server.http_url}/traces/{sent.trace_id}")
    expect(ui.get_by_test_id("trace-header")).to_contain_text("charge card")

    ui.get_by_test_id("logs-link").click()
    expect(ui.get_by_test_id("logs-trace-id")).to_have_text(sent.trace_id)
    expect(ui.get_by_test_id("log-row")).to_have_count(2)
    assert sorted(_texts(ui)) == ["card declined for order o-17", "charge attempt order=o-17"]
    expect(ui.get_by_test_id("logql-input")).to_have_value(f'{{service_name=~".+"}} | trace_id="{sent.trace_id}"')

    ui.get_by_test_id("trace-match").select_option("text")
    expect(ui.get_by_test_id("empty-state").or_(ui.locator(".empty-state"))).to_be_visible()

    ui.goto(f"{meshscope_server.http_url}/logs?service={API}&words=slow")
    text_link = ui.get_by_test_id("log-trace-link")
    expect(text_link).to_have_text(TEXT_TRACE_ID)
    assert (text_link.get_attribute("href") or "").startswith(f"/traces/{TEXT_TRACE_ID}")


def test_logql_with_completion_and_api_errors(logs_ui: Page, meshscope_server: Any, sent: SentLogs) -> None:
    ui = logs_ui
    ui.goto(f"{meshscope_server.http_url}/logs?mode=logql")
    editor = ui.get_by_test_id("logql-input")
    editor.fill("")
    editor.press_sequentially("{service_n")
    expect(ui.get_by_test_id("suggestion").first).to_have_text("service_name")
    editor.press("Enter")
    editor.press_sequentially('="')
    ui.get_by_test_id("suggestion").filter(has_text=API).click()
    editor.press_sequentially('} |= "request"')
    expect(editor).to_have_value(f'{{service_name="{API}"}} |= "request"')
    editor.press("Enter")

    assert _params(ui)["query"] == [f'{{service_name="{API}"}} |= "request"']
    expect(ui.get_by_test_id("log-row")).to_have_count(REQUESTS)
    assert _texts(ui)[0] == f"request {REQUESTS} served path=/cart"
    expect(ui.get_by_test_id("logs-summary")).to_have_text(f"{REQUESTS} lines")

    editor.fill(f'{{service_name="{API}"}} oops')
    editor.press("Enter")
    expect(ui.get_by_test_id("error-banner").first).to_contain_text("parse error at line 1")


def test_context_volume_and_zoom(logs_ui: Page, meshscope_server: Any, sent: SentLogs, drag_across: Any) -> None:
    ui = logs_ui
    query = quote(f'{{service_name="{API}"}} |= "request 4 "')
    ui.goto(f"{meshscope_server.http_url}/logs?mode=logql&query={query}")
    rows = ui.get_by_test_id("log-row")
    expect(rows).to_have_count(1)
    rows.first.hover()
    rows.first.get_by_test_id("show-context").click()
    panel = ui.get_by_test_id("context-panel")
    expect(panel.get_by_test_id("context-selector")).to_contain_text(f'service_name="{API}"')
    context_rows = panel.get_by_test_id("log-row")
    expect(context_rows).to_have_count(REQUESTS + 1)
    texts = panel.get_by_test_id("log-text").all_inner_texts()
    assert texts[:REQUESTS] == [f"request {i} served path=/cart" for i in range(1, REQUESTS + 1)]
    hit = panel.locator(".log-row.hit")
    expect(hit).to_have_attribute("data-line-id", rows.first.get_attribute("data-line-id") or "")
    expect(hit.get_by_test_id("log-text")).to_have_text("request 4 served path=/cart")
    assert _params(ui)["context"] == [rows.first.get_attribute("data-line-id")]

    bars = ui.get_by_test_id("volume-bar")
    expect(bars).to_have_count(1)
    expect(ui.get_by_test_id("volume")).to_contain_text("info 1")
    drag_across(ui, ui.get_by_test_id("volume-chart"), 0.2, 0.6)
    ui.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("from", ["now"])[0].isdigit())
    params = _params(ui)
    span_ms = int(params["to"][0]) - int(params["from"][0])
    assert 0.35 < span_ms / 3_600_000 < 0.45


def test_live_tail_with_pause(logs_ui: Page, meshscope_server: Any, sent: SentLogs) -> None:
    ui = logs_ui
    ui.goto(f"{meshscope_server.http_url}/logs?service={LIVE}")
    expect(ui.locator(".empty-state")).to_be_visible()
    ui.get_by_test_id("live-start").click()
    expect(ui.get_by_test_id("live-controls")).to_have_attribute("data-status", "live")
    assert _params(ui)["live"] == ["on"]

    live = Telemetry(meshscope_server, LIVE, "http")
    try:
        live.logger.info("live line 1")
        live.flush()
        expect(ui.get_by_test_id("log-text")).to_have_text(["live line 1"], timeout=20_000)

        ui.get_by_test_id("live-pause").click()
        live.logger.info("live line 2")
        live.flush()
        expect(ui.get_by_test_id("live-resume")).to_have_text("Resume (1 new)", timeout=20_000)
        expect(ui.get_by_test_id("log-text")).to_have_text(["live line 1"])

        ui.get_by_test_id("live-resume").click()
        expect(ui.get_by_test_id("log-text")).to_have_text(["live line 2", "live line 1"])
        ui.get_by_test_id("live-stop").click()
        assert "live" not in _params(ui)
    finally:
        live.shutdown()
