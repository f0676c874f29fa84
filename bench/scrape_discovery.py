"""What Kubernetes discovery costs the scrape manager, in CPU seconds, for a cluster of N pods.

Reference: one reconciliation of N static targets with the uncached build (what every
reconciliation, once a second, cost before targets were reused). Measured in-process with
``time.process_time`` (the fake API server runs in this process's threads only for the
relist row, which uses ``time.thread_time`` of the event-loop thread). Median of ``--repeat``.

    .venv/bin/python bench/scrape_discovery.py [--pods 5000] [--repeat 5] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from meshscope.scrape.config import ScrapeConfig  # noqa: E402
from meshscope.scrape.discovery import static_groups  # noqa: E402
from meshscope.scrape.kube_api import Reflector  # noqa: E402
from meshscope.scrape.kube_targets import pod_group  # noqa: E402
from meshscope.scrape.targets import TargetBuilder, build  # noqa: E402
from support import kube_objects as k  # noqa: E402
from support.fake_kubernetes import FakeKubernetes, fake_kubernetes  # noqa: E402

console = Console(width=150)
RECIPE = [
    {"source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], "action": "keep", "regex": "true"},
    {"source_labels": ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
     "regex": "([^:]+)(?::\\d+)?;(\\d+)", "replacement": "$1:$2", "target_label": "__address__"},
    {"action": "labelmap", "regex": "__meta_kubernetes_pod_label_(.+)"},
    {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
    {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"}]


def no_find(kind: str, key: str) -> None:
    """No other kinds are watched (the pod role without attach_metadata)."""
    return None


def pods(n: int) -> list[dict[str, Any]]:
    return [k.pod(f"web-{i}", f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", [("http", 8080)],
                  labels={"app": "shop", "pod-template-hash": "7d9f"},
                  annotations={"prometheus.io/scrape": "true", "prometheus.io/port": "9100"}) for i in range(n)]


def cpu(fn: Callable[[], Any], repeat: int, clock: Callable[[], float] = time.process_time) -> float:
    runs = []
    for _ in range(repeat):
        t = clock()
        fn()
        runs.append(clock() - t)
    return statistics.median(runs)


def relist_seconds(objs: list[dict[str, Any]], repeat: int) -> float:
    fake = FakeKubernetes()
    for p in objs:
        fake.put("pods", p)
    groups: dict[str, Any] = {}
    with fake_kubernetes(fake) as url:
        async def once() -> float:
            import httpx
            async with httpx.AsyncClient() as client:
                r = Reflector(client, f"{url}/api/v1/pods", {}, lambda key, old, new: groups.__setitem__(
                    key, pod_group(new, no_find) if new else None))
                t = time.thread_time()
                await r.relist()
                return time.thread_time() - t
        return statistics.median(asyncio.run(once()) for _ in range(repeat))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pods", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    n, repeat = args.pods, args.repeat
    objs = pods(n)
    body = json.dumps({"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": objs})
    static = ScrapeConfig.model_validate({"job_name": "s", "static_configs": [
        {"targets": [f"10.0.{i // 256}.{i % 256}:9100" for i in range(n)]}]})
    kube = ScrapeConfig.model_validate({"job_name": "k", "relabel_configs": RECIPE})
    groups = [pod_group(p, no_find) for p in objs]
    builder = TargetBuilder(kube)
    builder.build(groups)
    changed = list(groups)

    def one_changed() -> None:
        changed[0] = pod_group(objs[0], no_find)  # a new group object, as after a MODIFIED event
        builder.build(changed)

    reference = cpu(lambda: build(static, static_groups(static)), repeat)
    rows = [
        ("reference: reconcile N static targets, uncached build", reference),
        ("decode a PodList of N pods (json.loads)", cpu(lambda: json.loads(body), repeat)),
        ("N pod objects → target groups (pod_group)", cpu(lambda: [pod_group(p, no_find) for p in objs], repeat)),
        ("relist N pods over HTTP from the fake API → groups", relist_seconds(objs, repeat)),
        ("first reconcile: relabel N pod targets (annotation recipe)", cpu(lambda: build(kube, groups), repeat)),
        ("steady reconcile (nothing changed, cached)", cpu(lambda: builder.build(groups), repeat)),
        ("reconcile after one pod changed (cached)", cpu(one_changed, repeat)),
    ]
    table = Table(title=f"Kubernetes pod discovery, N = {n} pods (CPU seconds, median of {repeat})")
    table.add_column("step")
    table.add_column("CPU s", justify="right")
    table.add_column("× reference", justify="right")
    table.add_column("per pod µs", justify="right")
    for name, seconds in rows:
        table.add_row(name, f"{seconds:.4f}", f"{seconds / reference:.2f}", f"{seconds / n * 1e6:.1f}")
    console.print(table)
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        build(kube, groups)
        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(8)


if __name__ == "__main__":
    main()
