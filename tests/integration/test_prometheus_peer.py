"""Differential tests against a real Prometheus 2.42 started by the test.

Prometheus scrapes an exporter and remote_writes everything to meshscope, while meshscope scrapes
the same exporter (and Prometheus itself) under other job names. The same PromQL must give the same
answers from both over the remote-written data; meshscope's own scrape must see the same series.
"""

from __future__ import annotations

import math
import subprocess
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from support.prometheus import PrometheusProcess, available
from support.server import ServerProcess, free_port

pytestmark = pytest.mark.skipif(not available(), reason="needs Debian's prometheus package (make setup-test)")
HASHMOD = "{source_labels: [__address__], modulus: 1000, target_label: shard, action: hashmod}"


def _exporter(stop: threading.Event) -> int:
    reg = CollectorRegistry()
    requests = Counter("app_requests", "Requests.", ["path", "code"], registry=reg)
    queue = Gauge("app_queue", "Queue length.", ["queue"], registry=reg)
    latency = Histogram("app_latency_seconds", "Latency.", ["path"], registry=reg,
                        buckets=(0.01, 0.05, 0.1, 0.5, 1.0))
    port = free_port()
    start_http_server(port, addr="127.0.0.1", registry=reg)

    def churn() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            for i, path in enumerate(("/a", "/b", "/c")):
                requests.labels(path, "200").inc(i + 1)
                requests.labels(path, "500").inc(n % (i + 2))
                latency.labels(path).observe(((n * 37 + i * 11) % 100) / 90)
            for q in range(4):
                queue.labels(f"q{q}").set((n * (q + 1)) % 17 + 1)  # never all 0: "> 5" must match
            stop.wait(0.25)
    threading.Thread(target=churn, daemon=True).start()
    return port


@pytest.fixture(scope="module")
def peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, PrometheusProcess]]:
    base = tmp_path_factory.mktemp("peer")
    stop = threading.Event()
    app = _exporter(stop)
    ms_port, prom_port = free_port(), free_port()
    (base / "ms.yaml").write_text(textwrap.dedent(f"""\
        scrape_configs:
          - job_name: app_ms
            scrape_interval: 1s
            static_configs: [{{targets: ["127.0.0.1:{app}"]}}]
            relabel_configs: [{HASHMOD}]
          - job_name: prometheus_ms
            scrape_interval: 1s
            static_configs: [{{targets: ["127.0.0.1:{prom_port}"]}}]
        """))
    ms = ServerProcess(base / "data", http_port=ms_port, config=base / "ms.yaml").start()
    (base / "prom").mkdir()
    prom = None
    try:
        prom = _start_prometheus(base / "prom", prom_port, app, ms_port)
        time.sleep(12)  # a dozen scrapes, remote-written in 1 s batches
        yield ms, prom
    finally:
        stop.set()
        if prom is not None:
            prom.stop()
        ms.stop()


def _start_prometheus(workdir: Path, port: int, app: int, ms_port: int) -> PrometheusProcess:
    config = textwrap.dedent(f"""\
        global: {{scrape_interval: 1s, evaluation_interval: 1s}}
        scrape_configs:
          - job_name: app
            static_configs: [{{targets: ["127.0.0.1:{app}"]}}]
            relabel_configs: [{HASHMOD}]
        remote_write:
          - url: http://127.0.0.1:{ms_port}/api/v1/write
            queue_config: {{batch_send_deadline: 500ms, min_backoff: 50ms}}
            metadata_config: {{send_interval: 1s}}
        """)
    return PrometheusProcess(workdir, config, port)


def _points(doc: dict) -> dict[tuple[tuple[str, str], ...], list[tuple[float, float]]]:  # type: ignore[type-arg]
    assert doc["status"] == "success", doc
    data = doc["data"]
    if data["resultType"] == "scalar":
        return {(): [(float(data["result"][0]), float(data["result"][1]))]}
    out = {}
    for item in data["result"]:
        pairs = item["values"] if "values" in item else [item["value"]]
        out[tuple(sorted(item["metric"].items()))] = [(float(t), float(v)) for t, v in pairs]
    return out


def _same(a: dict, b: dict) -> bool:  # type: ignore[type-arg]
    if a.keys() != b.keys():
        return False
    for key, pa in a.items():
        pb = b[key]
        if len(pa) != len(pb):
            return False
        for (ta, va), (tb, vb) in zip(pa, pb, strict=True):
            close = math.isclose(va, vb, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(va) and math.isnan(vb))
            if ta != tb or not close:
                return False
    return True


QUERIES = [
    'app_requests_total{job="app"}',
    'rate(app_requests_total{job="app"}[5s])',
    'sum by (path) (rate(app_requests_total{job="app", code=~"2.."}[5s]))',
    'histogram_quantile(0.9, sum by (le) (rate(app_latency_seconds_bucket{job="app"}[5s])))',
    'topk(2, app_queue{job="app"})',
    'avg_over_time(app_queue{job="app"}[4s]) * on (queue) group_left app_queue{job="app"} > 5',
    'up{job="app"}',
    'scrape_samples_scraped{job="app"} - scrape_samples_post_metric_relabeling{job="app"}',
    'count by (__name__) ({job="app"})',
    'label_replace(up{job="app"}, "host", "$1", "instance", "(.*):.*")',
    'absent(nope{job="app"})',
    'increase(app_latency_seconds_count{job="app"}[6s] offset 2s)',
]


def _settled(prom: PrometheusProcess, ms: ServerProcess | None = None) -> int:
    """A time (ms) whose samples Prometheus has remote-written (waits for meshscope to have them)."""
    t = (int(time.time()) - 4) * 1000
    deadline = time.monotonic() + 20
    while ms is not None and time.monotonic() < deadline:
        got = ms.get("/api/v1/query", query='max(timestamp(up{job="app"}))', time=time.time()).json()
        result = got["data"]["result"]
        if result and float(result[0]["value"][1]) * 1000 >= t + 1000:
            break
        time.sleep(0.2)
    return t


@pytest.mark.parametrize("expr", QUERIES)
def test_same_answers_as_prometheus(peers, expr: str) -> None:  # type: ignore[no-untyped-def]
    ms, prom = peers
    t = _settled(prom, ms)
    a = _points(prom.get("/api/v1/query", query=expr, time=t / 1000).json())
    b = _points(ms.get("/api/v1/query", query=expr, time=t / 1000).json())
    assert a, f"Prometheus returned nothing for {expr}"
    assert _same(a, b), (expr, a, b)
    params = {"query": expr, "start": (t - 8000) / 1000, "end": t / 1000, "step": "1s"}
    a = _points(prom.get("/api/v1/query_range", **params).json())
    b = _points(ms.get("/api/v1/query_range", **params).json())
    assert _same(a, b), (expr, a, b)


def test_meshscope_scrape_sees_the_same_series_and_target_labels(peers) -> None:  # type: ignore[no-untyped-def]
    ms, prom = peers
    t = _settled(prom, ms) / 1000

    def series(server, job: str) -> set[tuple[tuple[str, str], ...]]:  # type: ignore[no-untyped-def]
        doc = server.get("/api/v1/query", query=f'{{job="{job}", __name__=~"app_.*"}}', time=t).json()
        return {tuple(sorted((k, v) for k, v in r["metric"].items() if k not in ("job",)))
                for r in doc["data"]["result"]}
    assert series(prom, "app") == series(ms, "app_ms")
    shard_prom = prom.get("/api/v1/targets").json()["data"]["activeTargets"][0]["labels"]["shard"]
    ms_targets = ms.get("/api/v1/targets").json()["data"]["activeTargets"]
    assert next(x for x in ms_targets if x["scrapePool"] == "app_ms")["labels"]["shard"] == shard_prom
    up = ms.get("/api/v1/query", query='up{job="prometheus_ms"}', time=t).json()["data"]["result"]
    assert up and up[0]["value"][1] == "1"  # Prometheus' own /metrics as a real exporter
    build = ms.get("/api/v1/query", query='prometheus_build_info{job="prometheus_ms"}', time=t).json()
    assert build["data"]["result"][0]["metric"]["version"].startswith("2.42")


def test_remote_written_metadata(peers) -> None:  # type: ignore[no-untyped-def]
    ms, _ = peers
    meta = ms.get("/api/v1/metadata", metric="app_latency_seconds").json()["data"]
    assert meta["app_latency_seconds"][0]["type"] == "histogram"


@pytest.mark.parametrize("kind", ["instant", "range"])
def test_promtool_queries_meshscope(peers, kind: str) -> None:  # type: ignore[no-untyped-def]
    ms, prom = peers
    t = _settled(prom, ms) / 1000
    expr = 'sum by (path) (app_requests_total{job="app"})'
    args = ["--time", str(t)] if kind == "instant" else ["--start", str(t - 5), "--end", str(t), "--step", "1s"]
    outputs = []
    for url in (prom.url, ms.http_url):
        run = subprocess.run(["promtool", "query", kind, *args, url, expr], capture_output=True, text=True,
                             timeout=30)
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1] and "/a" in outputs[0]
