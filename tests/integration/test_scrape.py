"""Scraping with a real server: exporters, staleness, failures, file_sd, relabeling, the targets API."""

from __future__ import annotations

import json
import math
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server

from support.exporter import Pages, page_server
from support.prom import sql
from support.scrape_checks import eventually, query
from support.server import ServerProcess, free_port

TEXT = "text/plain; version=0.0.4"


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Pages, Gauge, Path]]:
    base = tmp_path_factory.mktemp("scrape")
    registry = CollectorRegistry()
    Counter("app_requests", "Requests served.", ["path"], registry=registry).labels("/a").inc(3)
    gauge = Gauge("app_queue", "Queue length.", ["queue"], registry=registry)
    gauge.labels("q1").set(1)
    gauge.labels("q2").set(2)
    app_port = free_port()
    server, _ = start_http_server(app_port, addr="127.0.0.1", registry=registry)
    sd_file = base / "targets.json"
    sd_file.write_text("[]")
    with page_server() as (pages, pages_port):
        pages.pages["/bad"] = (TEXT, "good_one 1\nbad line here\n")
        pages.pages["/om"] = ("application/openmetrics-text; version=1.0.0",
                              '# TYPE om_c counter\nom_c_total{x="y"} 7 # {trace_id="4bf92f3577b34da6"} 1.0\n# EOF\n')
        http_port = free_port()
        config = base / "meshscope.yaml"
        config.write_text(textwrap.dedent(f"""\
            scrape_configs:
              - job_name: app
                scrape_interval: 1s
                static_configs: [{{targets: ["127.0.0.1:{app_port}"], labels: {{env: test}}}}]
                metric_relabel_configs:
                  - {{action: drop, source_labels: [__name__], regex: ".*_created"}}
              - job_name: self
                scrape_interval: 1s
                static_configs: [{{targets: ["127.0.0.1:{http_port}"]}}]
              - job_name: broken
                scrape_interval: 1s
                metrics_path: /bad
                static_configs: [{{targets: ["127.0.0.1:{pages_port}", "127.0.0.1:1"]}}]
              - job_name: om
                scrape_interval: 1s
                metrics_path: /om
                static_configs: [{{targets: ["127.0.0.1:{pages_port}"]}}]
              - job_name: files
                scrape_interval: 1s
                metrics_path: /om
                file_sd_configs: [{{files: ["{base}/*.json"]}}]
                relabel_configs:
                  - {{source_labels: [__meta_filepath], regex: ".*/(.*)\\\\.json", target_label: sdfile}}
            """))
        ms = ServerProcess(base / "data", http_port=http_port, config=config).start()
        try:
            yield ms, pages, gauge, sd_file
        finally:
            ms.stop()
            server.shutdown()


def test_exporter_series_up_and_report_series(setup) -> None:  # type: ignore[no-untyped-def]
    ms = setup[0]

    def check() -> None:
        got = {r["metric"]["job"]: r["value"][1] for r in query(ms, "up")}  # type: ignore[index]
        assert got == {"app": "1", "self": "1", "broken": "0", "om": "1"}, got
        assert query(ms, 'app_requests_total{env="test",path="/a"}')[0]["value"][1] == "3"  # type: ignore[index]
    eventually(check)
    assert query(ms, 'count({job="app", __name__=~".*_created"})') == []
    scraped = query(ms, 'scrape_samples_scraped{job="app"}')[0]["value"][1]  # type: ignore[index]
    post = query(ms, 'scrape_samples_post_metric_relabeling{job="app"}')[0]["value"][1]  # type: ignore[index]
    assert int(scraped) > int(post) > 0
    assert query(ms, 'scrape_series_added{job="self"}')

    def own_counter() -> None:  # our own /metrics counts a scrape once it is stored: the next self-scrape shows it
        assert query(ms, 'meshscope_ingest_accepted_items_total{job="self",protocol="scrape"}')
    eventually(own_counter)


def test_malformed_exposition_fails_the_scrape_with_the_line(setup) -> None:  # type: ignore[no-untyped-def]
    ms = setup[0]
    targets = ms.get("/api/v1/targets").json()["data"]["activeTargets"]
    broken = [t for t in targets if t["scrapePool"] == "broken"]
    errors = sorted(t["lastError"] for t in broken)
    assert any("line 2" in e and "bad line here" in e for e in errors), errors
    assert all(t["health"] == "down" for t in broken)
    assert query(ms, "good_one") == []  # Prometheus stores nothing of a failed scrape


def test_openmetrics_with_exemplars(setup) -> None:  # type: ignore[no-untyped-def]
    ms = setup[0]
    eventually(lambda: _assert(query(ms, 'om_c_total{job="om"}')))
    r = ms.get("/api/v1/query_exemplars", query="om_c_total", start=time.time() - 60, end=time.time() + 1)
    exemplars = [e for s in r.json()["data"] for e in s["exemplars"]]
    assert exemplars and exemplars[0]["labels"] == {"trace_id": "4bf92f3577b34da6"}
    meta = ms.get("/api/v1/metadata", metric="om_c").json()["data"]
    assert meta == {"om_c": [{"type": "counter", "help": "", "unit": ""}]}


def _assert(value: object) -> None:
    assert value


def test_vanished_series_get_staleness_markers(setup) -> None:  # type: ignore[no-untyped-def]
    ms, _, gauge, _ = setup
    eventually(lambda: _assert(query(ms, 'app_queue{queue="q2"}')))
    gauge.remove("q2")

    def gone() -> None:
        assert query(ms, 'app_queue{queue="q2"}') == []
        assert query(ms, 'app_queue{queue="q1"}')
    eventually(gone)
    rows = sql(ms.http_url, "SELECT count() AS n FROM meshscope.metric_samples WHERE metric_name = 'app_queue' "
                            "AND reinterpretAsUInt64(value) = 9218868437227405314")
    assert rows[0]["n"] == 1


def test_file_sd_is_reread_and_relabeled(setup) -> None:  # type: ignore[no-untyped-def]
    ms, pages, _, sd_file = setup
    pages_port = next(t["labels"]["instance"] for t in ms.get("/api/v1/targets").json()["data"]["activeTargets"]
                      if t["scrapePool"] == "om")
    sd_file.write_text(json.dumps([{"targets": [pages_port], "labels": {"team": "blue"}}]))

    def check() -> None:
        got = query(ms, 'up{job="files"}')
        assert got and got[0]["metric"]["team"] == "blue" and got[0]["metric"]["sdfile"] == "targets"  # type: ignore[index]
    eventually(check)
    sd_file.write_text("[]")
    eventually(lambda: _assert(not query(ms, 'up{job="files"}')))  # removed target: staleness markers


def test_scrape_request_headers(setup) -> None:  # type: ignore[no-untyped-def]
    pages = setup[1]
    req = next(r for r in pages.requests if r["path"] == "/om")
    assert req["accept"].startswith("application/openmetrics-text;version=1.0.0")
    assert math.isclose(float(req["x-prometheus-scrape-timeout-seconds"]), 1.0)
