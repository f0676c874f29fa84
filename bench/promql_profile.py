"""Where a PromQL range query spends its time: the four dashboard queries of
``bench/metrics_ingest_query.py`` over the same data set (10k series, 1 h at 15 s).

``prepare`` ingests the data set through the remote_write doors of a real meshscope and a real
Prometheus 2.42 into a directory kept for later runs. ``http`` starts both on it and times
``/api/v1/query_range``, alternating between them run by run so both see the same machine load
(wall and server CPU seconds per query, median, and the speed ratio). ``profile`` runs each query
in-process (engine + JSON encoding, as the handler does) under cProfile and prints the top
functions by cumulative time; ``stages`` times the stages of each query (SQL, regrouping, lookup,
aggregation, JSON) with plain timers, since cProfile inflates the Python-heavy ones.

    .venv/bin/python bench/promql_profile.py prepare --dir /tmp/promql-prof
    .venv/bin/python bench/promql_profile.py http --dir /tmp/promql-prof
    .venv/bin/python bench/promql_profile.py profile --dir /tmp/promql-prof [--query "sum by (rate)"]
    .venv/bin/python bench/promql_profile.py stages --dir /tmp/promql-prof --runs 30 [--query "avg gauge"]
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
from typing import Any

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


def stages(work: Path, only: str | None, runs: int) -> None:
    """Wall ms per stage (median of ``runs``) without cProfile, whose per-call overhead inflates the
    Python-heavy stages several times over: each stage's function is wrapped with a timer."""
    from meshscope.api import prom_json
    from meshscope.metrics import source
    from meshscope.promql import engine as ev
    from meshscope.promql.heap import keep_freed_memory
    from meshscope.storage.chdb_embedded import ChdbExecutor

    keep_freed_memory()
    ex = ChdbExecutor(work / "data" / "chdb", "meshscope")
    spent: dict[str, float] = {}

    def timed(label: str, fn: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - t0
        return run

    ex.arrow = timed("SQL + Arrow (chDB)", ex.arrow)  # type: ignore[method-assign]
    source.block_from_runs = timed("regroup runs", source.block_from_runs)  # type: ignore[assignment]
    ev.instant_lookup = timed("instant lookup", ev.instant_lookup)  # type: ignore[assignment]
    ev.aggregate = timed("aggregate", ev.aggregate)  # type: ignore[assignment]
    ev.Windows.build = staticmethod(timed("range windows", ev.Windows.build))  # type: ignore[method-assign]
    for func, fn in ev.RANGE_FUNCTIONS.items():
        ev.RANGE_FUNCTIONS[func] = timed("range function", fn)
    try:
        engine = ev.Engine(source.ClickHouseSource(ex))
        for name, q in QUERIES.items():
            if only and name != only:
                continue
            p = _params(work, q)
            start, end = int(float(p["start"]) * 1000), int(float(p["end"]) * 1000)  # type: ignore[arg-type]
            per_run: list[dict[str, float]] = []
            for i in range(runs + 1):
                spent.clear()
                t0 = time.perf_counter()
                matrix = engine.range(q, start, end, STEP_S * 1000)
                t1 = time.perf_counter()
                prom_json.result_json(matrix)
                spent["JSON"] = time.perf_counter() - t1
                spent["total"] = time.perf_counter() - t0
                spent["other engine"] = t1 - t0 - sum(v for k, v in spent.items() if k not in ("JSON", "total"))
                if i:  # the first run warms caches
                    per_run.append(dict(spent))
            table = Table(title=f"{name}: wall ms per stage, median of {runs}")
            table.add_column("stage")
            table.add_column("ms", justify="right")
            for label in per_run[0]:
                table.add_row(label, f"{statistics.median(r[label] for r in per_run) * 1000:.2f}")
            console.print(table)
    finally:
        ex.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("prepare", "http", "profile", "stages"))
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
    elif args.mode == "stages":
        stages(args.dir, args.query, args.runs)
    else:
        profile(args.dir, args.query, args.top)


if __name__ == "__main__":
    main()
