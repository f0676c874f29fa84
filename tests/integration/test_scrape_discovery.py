"""Service discovery end to end: a real server scrapes prometheus_client apps that the fake
Kubernetes API (relabeled with the ``prometheus.io/*`` annotation recipe), an HTTP SD endpoint
and DNS A records list."""

from __future__ import annotations

import json
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Counter, start_http_server

from support import kube_objects as k
from support.exporter import Pages, page_server
from support.fake_kubernetes import FakeKubernetes, fake_kubernetes
from support.prom import sql
from support.scrape_checks import eventually, query
from support.server import ServerProcess, free_port

WAIT = 15.0  # seconds for discovery + a 1s scrape + a write to show up, on a loaded machine


@dataclass
class Setup:
    ms: ServerProcess
    kube: FakeKubernetes
    pages: Pages
    app_ports: list[int]


def scraped_pod(name: str, app_port: int) -> dict[str, Any]:
    return k.pod(name, "127.0.0.1", [("http", 8080)], labels={"app": "shop", "version": "v1"},
                 annotations={"prometheus.io/scrape": "true", "prometheus.io/port": str(app_port),
                              "prometheus.io/path": "/metrics"})


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    base = tmp_path_factory.mktemp("scrape-sd")
    servers: list[ThreadingHTTPServer] = []
    app_ports = []
    for n in range(3):
        registry = CollectorRegistry()
        Counter("shop_orders", "Orders.", registry=registry).inc(n + 1)
        port = free_port()
        servers.append(start_http_server(port, addr="127.0.0.1", registry=registry)[0])
        app_ports.append(port)
    kube = FakeKubernetes()
    kube.put("pods", scraped_pod("web-1", app_ports[0]))
    kube.put("pods", k.pod("db-0", "127.0.0.1", [("pg", 5432)]))  # no annotation: dropped by relabeling
    kube.put("pods", scraped_pod("other-ns", app_ports[0]) | {"metadata": {"name": "x", "namespace": "other"}})
    with fake_kubernetes(kube) as kube_url, page_server() as (pages, pages_port):
        pages.pages["/sd"] = ("application/json", json.dumps([{"targets": [f"127.0.0.1:{app_ports[2]}"],
                                                                "labels": {"team": "blue"}}]))
        config = base / "meshscope.yaml"
        config.write_text(textwrap.dedent(f"""\
            scrape_configs:
              - job_name: kubernetes-pods
                scrape_interval: 1s
                kubernetes_sd_configs:
                  - role: pod
                    api_server: {kube_url}
                    namespaces: {{names: [shop]}}
                relabel_configs:
                  - {{source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape], action: keep,
                     regex: "true"}}
                  - {{source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path], regex: "(.+)",
                     target_label: __metrics_path__}}
                  - {{source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port],
                     regex: "([^:]+)(?::\\\\d+)?;(\\\\d+)", replacement: "$1:$2", target_label: __address__}}
                  - {{action: labelmap, regex: "__meta_kubernetes_pod_label_(.+)"}}
                  - {{source_labels: [__meta_kubernetes_namespace], target_label: namespace}}
                  - {{source_labels: [__meta_kubernetes_pod_name], target_label: pod}}
              - job_name: http-sd
                scrape_interval: 1s
                http_sd_configs: [{{url: "http://127.0.0.1:{pages_port}/sd", refresh_interval: 1s}}]
                relabel_configs:
                  - {{source_labels: [__meta_url], regex: ".*/(.*)", target_label: sd_path}}
              - job_name: dns-a
                scrape_interval: 1s
                dns_sd_configs: [{{names: [localhost], type: A, port: {app_ports[1]}, refresh_interval: 1s}}]
                relabel_configs:
                  - {{source_labels: [__meta_dns_name], target_label: dns_name}}
            """))
        ms = ServerProcess(base / "data", config=config).start()
        try:
            yield Setup(ms, kube, pages, app_ports)
        finally:
            ms.stop()
            for s in servers:
                s.shutdown()


def up(ms: ServerProcess, job: str) -> dict[str, str]:
    return {r["metric"].get("pod", r["metric"]["instance"]): r["value"][1] for r in query(ms, f'up{{job="{job}"}}')}


def test_annotated_pod_is_scraped_with_relabeled_labels(setup: Setup) -> None:
    ms = setup.ms

    def check() -> None:
        got = query(setup.ms, 'shop_orders_total{job="kubernetes-pods"}')
        assert len(got) == 1, got
        assert got[0]["metric"] == {"__name__": "shop_orders_total", "job": "kubernetes-pods", "pod": "web-1",
                                    "namespace": "shop", "app": "shop", "version": "v1",
                                    "instance": f"127.0.0.1:{setup.app_ports[0]}"}
        assert got[0]["value"][1] == "1"
    eventually(check, WAIT)

    def healthy() -> tuple[dict[str, Any], dict[str, Any]]:
        data = ms.get("/api/v1/targets").json()["data"]
        (active,) = [t for t in data["activeTargets"] if t["scrapePool"] == "kubernetes-pods"]
        assert active["health"] == "up", active
        return data, active
    data, active = eventually(healthy, WAIT)
    discovered = active["discoveredLabels"]
    assert discovered["__address__"] == "127.0.0.1:8080"
    assert discovered["__meta_kubernetes_pod_container_port_number"] == "8080"
    assert discovered["__meta_kubernetes_pod_annotation_prometheus_io_port"] == str(setup.app_ports[0])
    dropped = [t["discoveredLabels"].get("__meta_kubernetes_pod_name") for t in data["droppedTargets"]]
    assert "db-0" in dropped and "x" not in dropped  # other namespace: never listed


def test_pods_added_and_removed_through_watch_events(setup: Setup) -> None:
    ms, kube = setup.ms, setup.kube
    eventually(lambda: _assert(up(ms, "kubernetes-pods") == {"web-1": "1"}), WAIT)
    kube.put("pods", scraped_pod("web-2", setup.app_ports[1]))
    eventually(lambda: _assert(up(ms, "kubernetes-pods") == {"web-1": "1", "web-2": "1"}), WAIT)
    assert query(ms, 'shop_orders_total{pod="web-2"}')[0]["value"][1] == "2"
    kube.delete("pods", "shop", "web-1")
    eventually(lambda: _assert(up(ms, "kubernetes-pods") == {"web-2": "1"}), WAIT)
    rows = sql(ms.http_url, "SELECT count() AS n FROM meshscope.metric_samples WHERE metric_name = 'up' "
                            "AND fingerprint IN (SELECT fingerprint FROM meshscope.metric_series "
                            "WHERE metric_name = 'up' AND labels['pod'] = 'web-1') "
                            "AND reinterpretAsUInt64(value) = 9218868437227405314")
    assert rows[0]["n"] == 1  # the removed pod's series ended with a staleness marker


def test_http_sd_targets(setup: Setup) -> None:
    ms = setup.ms

    def check() -> None:
        got = query(ms, 'shop_orders_total{job="http-sd"}')
        assert [(r["metric"]["team"], r["metric"]["sd_path"], r["value"][1]) for r in got] == [("blue", "sd", "3")]
    eventually(check, WAIT)
    setup.pages.pages["/sd"] = ("application/json", "not json")  # a broken answer keeps the targets
    time.sleep(2.5)
    assert up(ms, "http-sd") == {f"127.0.0.1:{setup.app_ports[2]}": "1"}


def test_dns_sd_a_record_targets(setup: Setup) -> None:
    def check() -> None:
        got = query(setup.ms, 'shop_orders_total{job="dns-a"}')
        assert [(r["metric"]["instance"], r["metric"]["dns_name"], r["value"][1]) for r in got] == [
            (f"127.0.0.1:{setup.app_ports[1]}", "localhost", "2")]
    eventually(check, WAIT)


def _assert(value: object) -> None:
    assert value
