"""Where a PromQL range query spends its time: the four dashboard queries of
``bench/metrics_ingest_query.py`` over the same data set (10k series, 1 h at 15 s).

``prepare`` ingests the data set through the remote_write doors of a real meshscope and a real
Prometheus 2.42 into a directory kept for later runs. ``http`` starts both on it and times
``/api/v1/query_range``, alternating between them run by run so both see the same machine load
(wall and server CPU seconds per query, median, and the speed ratio). ``profile`` runs each query
in-process (engine + JSON encoding, as the handler does) under cProfile and prints the top
functions by cumulative time.

    .venv/bin/python bench/promql_profile.py prepare --dir /tmp/promql-prof
    .venv/bin/python bench/promql_profile.py http --dir /tmp/promql-prof
    .venv/bin/python bench/promql_profile.py profile --dir /tmp/promql-prof [--query "sum by (rate)"]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from metrics_ingest_query import QUERIES, STEP_S, cpu_seconds, ingest, make_bodies, series_set  # noqa: E402

from support.prometheus import PrometheusProcess  # noqa: E402
from support.server import ServerProcess  # noqa: E402

console = Console(width=150)


def prepare(work: Path, n_series: int, minutes: int) -> None:
    """Ingest into each store not there yet (the same samples: the end time is kept in meta.json)."""
    steps = minutes * 60 // STEP_S + 1
    meta = work / "meta.json"
    if meta.exists():
        end_ms = json.loads(meta.read_text())["end_ms"]
    else:
        end_ms = (int(time.time()) - 30) // STEP_S * STEP_S * 1000
        work.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps({"end_ms": end_ms, "minutes": minutes}))
    shards = make_bodies(series_set(n_series), steps, 4, end_ms)
    if not (work / "data").exists():
        server = ServerProcess(work / "data", env_overrides={"MESHSCOPE_INGEST__FLUSH_INTERVAL": "1s"}).start()
        try:
            ingest(f"{server.http_url}/api/v1/write", shards)
        finally:
            server.stop()
    if not (work / "prom").exists():
        prom = _prometheus(work)
        try:
            ingest(f"{prom.url}/api/v1/write", shards)
        finally:
            prom.stop()
    console.print(f"{steps * n_series:,} samples in {work}")


def _params(work: Path, query: str) -> dict[str, object]:
    meta = json.loads((work / "meta.json").read_text())
    end_s = meta["end_ms"] / 1000
    return {"query": query, "start": end_s - meta["minutes"] * 60, "end": end_s, "step": STEP_S}


def _prometheus(work: Path) -> PrometheusProcess:
    (work / "prom").mkdir(parents=True, exist_ok=True)
    return PrometheusProcess(work / "prom", "global: {scrape_interval: 1h}\n",
                             extra_args=["--web.enable-remote-write-receiver", "--storage.tsdb.retention.time=10y"])


def _timed(client: httpx.Client, url: str, pid: int, params: dict[str, object]) -> tuple[float, float]:
    c0, t0 = cpu_seconds(pid), time.perf_counter()
    r = client.get(f"{url}/api/v1/query_range", params=params)
    wall, cpu = time.perf_counter() - t0, cpu_seconds(pid) - c0
    assert r.status_code == 200 and r.json()["data"]["result"], r.text[:300]
    return wall, cpu


def http(work: Path, runs: int) -> None:
    server, prom = ServerProcess(work / "data").start(), _prometheus(work)
    table = Table(title="query_range through HTTP, runs alternating between the servers (wall: median, CPU: mean)")
    for col in ("query", "meshscope wall ms", "Prometheus wall ms", "speed (wall)", "meshscope CPU ms",
                "Prometheus CPU ms", "speed (CPU)"):
        table.add_column(col, justify="left" if col == "query" else "right")
    try:
        assert server.proc is not None
        targets = ((server.http_url, server.proc.pid), (prom.url, prom.proc.pid))
        with httpx.Client(timeout=300) as client:
            for name, q in QUERIES.items():
                got: list[list[tuple[float, float]]] = [[], []]
                for i in range(runs + 1):
                    for k, (url, pid) in enumerate(targets):
                        timing = _timed(client, url, pid, _params(work, q))
                        if i:  # the first run warms caches on both
                            got[k].append(timing)
                # wall: median; CPU: mean (the kernel counts CPU in 10 ms ticks, a mean evens them out)
                (mw, mc), (pw, pc) = ((statistics.median(x[0] for x in g), statistics.mean(x[1] for x in g))
                                      for g in got)
                table.add_row(name, f"{mw * 1000:.0f}", f"{pw * 1000:.0f}", f"{pw / mw:.2f}×", f"{mc * 1000:.0f}",
                              f"{pc * 1000:.0f}", f"{pc / mc:.2f}×")
    finally:
        server.stop()
        prom.stop()
    console.print(table)


def profile(work: Path, only: str | None, top: int) -> None:
    from meshscope.api import prom_json
    from meshscope.metrics.source import ClickHouseSource
    from meshscope.promql import Engine
    from meshscope.promql.heap import keep_freed_memory
    from meshscope.storage.chdb_embedded import ChdbExecutor

    keep_freed_memory()  # as the server does
    ex = ChdbExecutor(work / "data" / "chdb", "meshscope")
    try:
        engine = Engine(ClickHouseSource(ex))
        for name, q in QUERIES.items():
            if only and name != only:
                continue
            p = _params(work, q)
            start, end = int(float(p["start"]) * 1000), int(float(p["end"]) * 1000)  # type: ignore[arg-type]

            def once(q: str = q, start: int = start, end: int = end) -> str:
                return prom_json.result_json(engine.range(q, start, end, STEP_S * 1000))

            once()
            t0 = time.process_time()
            for _ in range(3):
                once()
            console.print(f"[bold]{name}[/]: {(time.process_time() - t0) / 3 * 1000:.0f} CPU ms per query")
            prof = cProfile.Profile()
            prof.enable()
            once()
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(top)
    finally:
        ex.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("prepare", "http", "profile"))
    ap.add_argument("--dir", type=Path, default=Path("/tmp/promql-prof"))
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--minutes", type=int, default=60)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--query", default=None, help="only this query (a name from the bench)")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    if args.mode == "prepare":
        prepare(args.dir, args.series, args.minutes)
    elif args.mode == "http":
        http(args.dir, args.runs)
    else:
        profile(args.dir, args.query, args.top)


if __name__ == "__main__":
    main()
