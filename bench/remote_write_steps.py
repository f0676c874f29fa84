"""CPU per sample of the remote_write insert procedure, before (git HEAD~N's series_ingest.py) and
now, side by side in one run on embedded chDB (no HTTP: only what the procedure costs).

Batches of 10k one-sample series (five 2,000-series requests, as Prometheus sends), reference and
current taking turns to go first, background merges stopped (their CPU would land on either side):
- fast: every series known, the common batch;
- straight to steps, all known: the batches right after one with new series;
- new series: every series new (churn);
- 8 known after new series: the 8 all-known batches that follow one with new series.

    .venv/bin/python bench/remote_write_steps.py [--ref HEAD] [--batches 12]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import tempfile
import time
import types
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from meshscope.config import RetentionSettings
from meshscope.decode.prometheus.prompb import WriteRequest
from meshscope.storage import metrics_sql, migrate
from meshscope.storage.executor import Executor, open_executor
from meshscope.storage.metric_streams import PROM_WRITE, metric_streams
from meshscope.storage.writer import _varint

SERIES, PER_REQUEST = 10_000, 2_000
MODES = ("fast", "straight to steps, all known", "new series", "8 known after new series")
AFTER = 8


def reference_module(ref: str) -> types.ModuleType:
    """series_ingest.py as it was at ``ref``, loaded beside the current one."""
    root = Path(__file__).resolve().parent.parent
    src = subprocess.run(["git", "show", f"{ref}:src/meshscope/storage/series_ingest.py"], cwd=root,
                         check=True, capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("series_ingest_ref", loader=None)
    assert spec is not None
    mod = importlib.util.module_from_spec(spec)
    exec(compile(src, "series_ingest_ref.py", "exec"), mod.__dict__)  # noqa: S102 - our own file at a commit
    return mod


def batch_file(path: Path, prefix: str, ts_ms: int) -> None:
    """One spooled batch: length-delimited WriteRequests, labels sorted as Prometheus sends them."""
    with open(path, "wb") as f:
        for start in range(0, SERIES, PER_REQUEST):
            req = WriteRequest()
            for i in range(start, start + PER_REQUEST):
                ts = req.timeseries.add()
                for k, v in (("__name__", f"{prefix}_requests_total"), ("code", str(200 + i % 5)),
                             ("instance", f"10.0.{i // 250}.{i % 250}:9100"), ("job", "node"),
                             ("method", "GET"), ("path", f"/api/v1/item/{i}")):
                    ts.labels.add(name=k, value=v)
                ts.samples.add(timestamp=ts_ms, value=float(i))
            body = req.SerializeToString()
            f.write(_varint(len(body)) + body)


def run(ex: Executor, proc: Any, spool: Path, prefix: str, ts_ms: int, settings: dict[str, Any],
        steps: bool) -> float:
    path = spool / f"{prefix}-{ts_ms}-0.pb"
    batch_file(path, prefix, ts_ms)
    if steps:
        proc._straight_to_steps = 1
    started = time.process_time()
    stored = proc(ex, spool / f"{prefix}-{ts_ms}-*.pb", "Protobuf", settings)
    cpu = time.process_time() - started
    assert stored == SERIES, stored
    path.unlink()
    return cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ref", default="HEAD")
    ap.add_argument("--batches", type=int, default=12)
    args = ap.parse_args()
    ref = reference_module(args.ref)
    cpu: dict[tuple[str, str], float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ex = open_executor("", Path(tmp) / "chdb", "meshscope")
        try:
            migrate.apply(ex, RetentionSettings())
            spec = metric_streams(ex.database)[PROM_WRITE]
            settings = {**spec.settings, "insert_deduplication_token": "bench",
                        "deduplicate_blocks_in_dependent_materialized_views": 1,
                        "max_insert_threads": max(1, min(os.cpu_count() or 1, 4))}
            procs = {"reference": ref.SeriesIngest(ex.database, metrics_sql.WRITE_REQUEST_STRUCTURE),
                     "current": spec.procedure}
            spool = Path(tmp) / "spool"
            spool.mkdir()
            now = int(time.time()) * 1000
            for who, proc in procs.items():  # the known series of each side, and a warm-up
                run(ex, proc, spool, f"k_{who}", now - 3_600_000, settings, steps=False)
            ex.command(f"SYSTEM STOP MERGES {ex.database}.metric_samples")  # merge CPU would land on either side
            for n in range(args.batches):
                ts = now - 3_000_000 + n * 15_000
                for who, proc in sorted(procs.items(), reverse=n % 2 == 1):  # who goes first alternates
                    for mode in MODES[:3]:
                        prefix = f"n{n}_{who}" if mode == "new series" else f"k_{who}"
                        stamp = ts + MODES.index(mode) * 1000
                        cpu[who, mode] = cpu.get((who, mode), 0.0) + run(
                            ex, proc, spool, prefix, stamp, settings, steps=mode != "fast")
                    proc._straight_to_steps = ref.STEPS_AFTER_MISS  # as after the new series just written
                    for k in range(AFTER):
                        cpu[who, MODES[3]] = cpu.get((who, MODES[3]), 0.0) + run(
                            ex, proc, spool, f"k_{who}", ts + 5000 + k * 100, settings, steps=False)
        finally:
            ex.close()
    report(cpu, args)


def report(cpu: dict[tuple[str, str], float], args: argparse.Namespace) -> None:
    samples = SERIES * args.batches
    table = Table(title=f"remote_write insert procedure, process CPU per sample "
                        f"({args.batches} batches × {SERIES:,} one-sample series each)",
                  caption=f"reference: series_ingest.py at {args.ref}; load {os.getloadavg()[0]:.1f} "
                          f"on {os.cpu_count()} cores")
    for col in ("batch", "reference µs/sample", "current µs/sample", "current / reference"):
        table.add_column(col, justify="left" if col == "batch" else "right")
    for mode in MODES:
        per = samples * (AFTER if mode == MODES[3] else 1)
        r, c = cpu["reference", mode] / per * 1e6, cpu["current", mode] / per * 1e6
        table.add_row(mode, f"{r:.2f}", f"{c:.2f}", f"{c / r:.2f}×")
    Console().print(table)


if __name__ == "__main__":
    main()
