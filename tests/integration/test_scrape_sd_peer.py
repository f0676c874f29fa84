"""Discovered labels compared with a real Prometheus 2.42: both poll the same HTTP SD endpoint and
``/api/v1/targets`` must show the same discoveredLabels, active and dropped.

Debian's Prometheus is built without Kubernetes discovery (it rejects ``kubernetes_sd_configs``),
so Kubernetes labels are checked against Prometheus' documentation and source in the unit tests."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from support.exporter import page_server
from support.prometheus import PrometheusProcess, available
from support.server import ServerProcess

pytestmark = pytest.mark.skipif(not available(), reason="needs Debian's prometheus package (make setup-test)")


def config(sd_url: str) -> str:
    relabel = [{"source_labels": ["team"], "regex": "red", "action": "drop"},
               {"source_labels": ["__meta_url"], "regex": ".*/(.*)", "target_label": "sd_path"}]
    jobs = [{"job_name": "http-sd", "scrape_interval": "1h", "scrape_timeout": "5s", "metrics_path": "/m",
             "params": {"format": ["prometheus"], "debug": ["1"]},
             "http_sd_configs": [{"url": sd_url, "refresh_interval": "1s"}],
             "relabel_configs": relabel},
            {"job_name": "http-sd-plain", "scrape_interval": "1h", "http_sd_configs": [{"url": sd_url}]}]
    return yaml.safe_dump({"scrape_configs": jobs})


def discovered(targets: dict[str, Any]) -> dict[str, list[str]]:
    """Per scrape pool, every discovered label set (active and dropped) as sorted JSON."""
    out: dict[str, list[str]] = {}
    for t in targets["activeTargets"] + targets["droppedTargets"]:
        labels = t["discoveredLabels"]
        out.setdefault(labels["job"], []).append(json.dumps(labels, sort_keys=True))
    return {job: sorted(sets) for job, sets in out.items()}


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PrometheusProcess, ServerProcess]]:
    base = tmp_path_factory.mktemp("sd-peer")
    with page_server() as (pages, port):
        pages.pages["/sd"] = ("application/json", json.dumps([
            {"targets": ["10.9.0.1:80", "10.9.0.2"], "labels": {"team": "blue", "env": "prod", "empty": ""}},
            {"targets": ["10.9.0.4:80"], "labels": {"__scheme__": "https", "__param_debug": "0"}},
            {"targets": ["10.9.0.3:9100"], "labels": {"team": "red"}},
            {"targets": ["[fd00::1]:9100"]}]))
        text = config(f"http://127.0.0.1:{port}/sd")
        (base / "prom").mkdir()
        prom = PrometheusProcess(base / "prom", text)
        config_file = base / "meshscope.yaml"
        config_file.write_text(text)
        ms = ServerProcess(base / "data", config=config_file).start()
        try:
            yield prom, ms
        finally:
            ms.stop()
            prom.stop()


def test_discovered_labels_match_prometheus(both: tuple[PrometheusProcess, ServerProcess]) -> None:
    prom, ms = both
    pools = {"http-sd", "http-sd-plain"}
    deadline = time.monotonic() + 60
    while True:
        theirs = discovered(prom.get("/api/v1/targets").json()["data"])
        ours = discovered(ms.get("/api/v1/targets").json()["data"])
        if (set(theirs) == pools and theirs == ours) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert set(theirs) == pools, sorted(theirs)
    for pool in sorted(pools):
        assert ours.get(pool) == theirs[pool], _diff(pool, theirs[pool], ours.get(pool, []))


def _diff(pool: str, theirs: list[str], ours: list[str]) -> str:
    lines = [f"{pool}: {len(theirs)} Prometheus label sets, {len(ours)} ours"]
    for a, b in zip(theirs, ours, strict=False):
        ta, tb = json.loads(a), json.loads(b)
        for name in sorted(set(ta) | set(tb)):
            if ta.get(name) != tb.get(name):
                lines.append(f"  {ta.get('__address__')}: {name}: prometheus={ta.get(name)!r} ours={tb.get(name)!r}")
    return "\n".join(lines[:60])


def active(targets: dict[str, Any]) -> list[str]:
    return sorted(json.dumps({"pool": t["scrapePool"], "labels": t["labels"], "url": t["scrapeUrl"]}, sort_keys=True)
                  for t in targets["activeTargets"])


def test_active_target_labels_and_urls_match_prometheus(both: tuple[PrometheusProcess, ServerProcess]) -> None:
    prom, ms = both
    deadline = time.monotonic() + 60
    while True:
        theirs = active(prom.get("/api/v1/targets").json()["data"])
        ours = active(ms.get("/api/v1/targets").json()["data"])
        if (len(theirs) == 9 and theirs == ours) or time.monotonic() > deadline:  # 4 + 5: one red target dropped
            break
        time.sleep(1)
    assert len(theirs) == 9 and ours == theirs
