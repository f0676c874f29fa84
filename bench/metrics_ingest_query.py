"""Prometheus-style metrics: meshscope vs. a real Prometheus 2.42, side by side in one run.

1. remote_write ingest: the same snappy WriteRequests (10k series with realistic labels, one
   sample per series per request, 15 s apart over the last hour) sent by concurrent senders to
   both servers; samples/s until the last request is acknowledged.
2. bytes per sample on disk after merges (meshscope: OPTIMIZE FINAL, samples + series tables;
   Prometheus: a TSDB snapshot of its head, i.e. compacted blocks with chunks and index), plus
   the codec alternatives for meshscope's sample columns.
3. query_range latency (1 h, 15 s step) for dashboard queries, median of several runs.
4. with ``--sweep 1,16``: ingest again with those numbers of senders, both servers started afresh
   for each (the same bodies, cut into that many shards), one more table row each; ``--repeat 3``
   runs each of those pairs three times, alternating which server goes first, and shows the
   medians and the range of the ratio (the 2 cores are shared: one pair can be off by 1.5x).

    .venv/bin/python bench/metrics_ingest_query.py [--series 10000] [--minutes 60] [--senders 4] \
        [--sweep 1,16] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import struct
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cramjam
import httpx
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from meshscope.decode.prometheus.prompb import WriteRequest  # noqa: E402
from support.prometheus import PrometheusProcess  # noqa: E402
from support.server import ServerProcess  # noqa: E402

console = Console()
STEP_S = 15
QUERIES = {
    "sum by (rate)": "sum by (job, status) (rate(http_requests_total[5m]))",
    "histogram_quantile": "histogram_quantile(0.99, sum by (le, job) (rate(http_request_duration_seconds_bucket[5m])))",
    "topk(rate)": "topk(5, rate(http_requests_total[5m]))",
    "avg gauge": "avg by (namespace) (process_resident_memory_bytes)",
}
BUCKETS = ("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf")


def series_set(n: int) -> list[tuple[list[tuple[str, str]], str]]:
    """Label sets shaped like a Kubernetes service fleet; kind is counter, bucket or gauge."""
    out: list[tuple[list[tuple[str, str]], str]] = []
    rnd = random.Random(7)
    jobs = ["api", "checkout", "search", "users", "payments", "inventory", "shipping", "frontend"]
    i = 0
    while len(out) < n:
        job = jobs[i % len(jobs)]
        pod = f"{job}-{rnd.randrange(16**6):06x}-{rnd.randrange(16**5):05x}"
        base = [("job", job), ("namespace", f"team-{i % 12}"), ("pod", pod),
                ("instance", f"10.1.{i % 250}.{i % 199}:8080")]
        for method, status, path in (("GET", "200", "/api/items"), ("GET", "500", "/api/items"),
                                     ("POST", "200", "/api/cart"), ("GET", "404", "/api/users")):
            out.append((sorted([("__name__", "http_requests_total"), *base, ("method", method), ("status", status),
                                ("path", path)]), "counter"))
        for le in BUCKETS:
            out.append((sorted([("__name__", "http_request_duration_seconds_bucket"), *base, ("le", le)]), "bucket"))
        out.append((sorted([("__name__", "process_resident_memory_bytes"), *base]), "gauge"))
        i += 1
    return out[:n]


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _labels_bytes(labels: list[tuple[str, str]]) -> bytes:
    ts = WriteRequest().timeseries.add()
    for k, v in labels:
        ts.labels.add(name=k, value=v)
    return bytes(ts.SerializeToString())


def make_bodies(series: list[tuple[list[tuple[str, str]], str]], steps: int, senders: int,
                end_ms: int) -> list[list[bytes]]:
    """Per sender, its shard of series, one request per time step, in time order (protobuf built by
    hand around each series' pre-encoded labels: the generator must not be the bottleneck)."""
    rnd = random.Random(1)
    state = [float(rnd.randrange(1000)) for _ in series]
    encoded = [_labels_bytes(labels) for labels, _ in series]
    shards: list[list[bytes]] = [[] for _ in range(senders)]
    start_ms = end_ms - (steps - 1) * STEP_S * 1000
    for step in range(steps):
        t = start_ms + step * STEP_S * 1000
        parts: list[list[bytes]] = [[] for _ in range(senders)]
        for idx, (_, kind) in enumerate(series):
            if kind == "gauge":
                state[idx] = 2e8 + rnd.randrange(-5_000_000, 5_000_000) // 4096 * 4096
            else:
                state[idx] += rnd.randrange(0, 40 if kind == "counter" else 25)
            sample = b"\x09" + struct.pack("<d", state[idx]) + b"\x10" + _varint(t)
            body = encoded[idx] + b"\x12" + _varint(len(sample)) + sample
            parts[idx % senders].append(b"\x0a" + _varint(len(body)) + body)
        for s, chunks in enumerate(parts):
            shards[s].append(bytes(cramjam.snappy.compress_raw(b"".join(chunks))))
    return shards


def ingest(url: str, shards: list[list[bytes]]) -> float:
    headers = {"Content-Type": "application/x-protobuf", "Content-Encoding": "snappy",
               "X-Prometheus-Remote-Write-Version": "0.1.0"}

    def send(bodies: list[bytes]) -> None:
        with httpx.Client(timeout=120) as client:
            for body in bodies:
                while True:
                    r = client.post(url, content=body, headers=headers)
                    if r.status_code in (200, 204):
                        break
                    if r.status_code in (429, 503):
                        time.sleep(float(r.headers.get("retry-after", "1")))
                        continue
                    raise RuntimeError(f"{url}: {r.status_code} {r.text[:200]}")

    started = time.perf_counter()
    with ThreadPoolExecutor(len(shards)) as pool:
        list(pool.map(send, shards))
    return time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far: a fair measure on a machine shared with other work."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds per thread name: Python threads (HTTP, writers, and the chDB calls they make),
    ClickHouse pipeline threads ("ThreadPool"), background merges ("MergeMutate")."""
    out: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended
        out[task.name + "/" + name] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def cpu_by_thread_name(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    groups: dict[str, float] = {}
    for key, seconds in after.items():
        name = key.split("/", 1)[1]
        groups[name] = groups.get(name, 0.0) + seconds - before.get(key, 0.0)
    return dict(sorted(groups.items(), key=lambda kv: -kv[1]))


def query_times(base: str, end_s: float, minutes: int, runs: int) -> dict[str, float]:
    out = {}
    with httpx.Client(timeout=300) as client:
        for name, q in QUERIES.items():
            params = {"query": q, "start": end_s - minutes * 60, "end": end_s, "step": STEP_S}
            times = []
            for _ in range(runs + 1):
                t0 = time.perf_counter()
                r = client.get(f"{base}/api/v1/query_range", params=params)
                times.append(time.perf_counter() - t0)
                assert r.status_code == 200 and r.json()["data"]["result"], (name, r.text[:300])
            out[name] = statistics.median(times[1:])  # the first run warms caches on both
    return out


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def prometheus_bytes(prom: PrometheusProcess) -> int:
    r = httpx.post(f"{prom.url}/api/v1/admin/tsdb/snapshot", timeout=300)
    name = r.json()["data"]["name"]
    return dir_bytes(prom.workdir / "tsdb" / "snapshots" / name)


def meshscope_storage(data_dir: Path) -> tuple[int, list[tuple[str, int]]]:
    """Bytes of samples + series after merges, and the sample columns under other codecs."""
    from meshscope.storage.chdb_embedded import ChdbExecutor

    ex = ChdbExecutor(data_dir / "chdb", "meshscope")
    try:
        for table in ("metric_samples", "metric_series"):
            ex.command(f"OPTIMIZE TABLE meshscope.{table} FINAL")
        rows = ex.rows("SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE database = 'meshscope' AND active "
                       "AND table IN ('metric_samples', 'metric_series')")
        total = int(rows[0]["b"])
        alternatives = []
        for label, ts_codec, value_codec in (
                ("Delta+ZSTD / ZSTD (chosen)", "Delta(8), ZSTD(1)", "ZSTD(1)"),
                ("DoubleDelta+ZSTD / Gorilla+ZSTD", "DoubleDelta, ZSTD(1)", "Gorilla, ZSTD(1)"),
                ("DoubleDelta / Gorilla", "DoubleDelta", "Gorilla"),
                ("DoubleDelta+ZSTD / ZSTD(3)", "DoubleDelta, ZSTD(1)", "ZSTD(3)"),
                ("Delta+ZSTD / Gorilla+LZ4", "Delta(8), ZSTD(1)", "Gorilla, LZ4")):
            ex.command("DROP TABLE IF EXISTS meshscope.codec_probe")
            ex.command("CREATE TABLE meshscope.codec_probe (metric_name LowCardinality(String) CODEC(ZSTD(1)), "
                       f"fingerprint UInt64 CODEC(Delta(8), ZSTD(1)), timestamp Int64 CODEC({ts_codec}), "
                       f"value Float64 CODEC({value_codec})) ENGINE = MergeTree "
                       "ORDER BY (metric_name, fingerprint, timestamp)")
            ex.command("INSERT INTO meshscope.codec_probe SELECT metric_name, fingerprint, timestamp, value "
                       "FROM meshscope.metric_samples FINAL")
            ex.command("OPTIMIZE TABLE meshscope.codec_probe FINAL")
            b = ex.rows("SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE database = 'meshscope' "
                        "AND table = 'codec_probe' AND active")
            alternatives.append((label, int(b[0]["b"])))
        ex.command("DROP TABLE IF EXISTS meshscope.codec_probe")
        return total, alternatives
    finally:
        ex.close()


def ingest_prometheus(work: Path, shards: list[list[bytes]]) -> tuple[float, float]:
    """Wall and server CPU seconds of one ingest by a fresh Prometheus."""
    work.mkdir(parents=True)
    prom = PrometheusProcess(work, "global: {scrape_interval: 1h}\n", extra_args=["--web.enable-remote-write-receiver"])
    try:
        cpu0 = cpu_seconds(prom.proc.pid)
        return ingest(f"{prom.url}/api/v1/write", shards), cpu_seconds(prom.proc.pid) - cpu0
    finally:
        prom.stop()


def ingest_meshscope(work: Path, shards: list[list[bytes]]) -> tuple[float, float]:
    """Wall and server CPU seconds of one ingest by a fresh meshscope."""
    work.mkdir(parents=True)
    ms = ServerProcess(work / "data", env_overrides={"MESHSCOPE_INGEST__FLUSH_INTERVAL": "1s"}).start()
    try:
        assert ms.proc is not None
        cpu0 = cpu_seconds(ms.proc.pid)
        return ingest(f"{ms.http_url}/api/v1/write", shards), cpu_seconds(ms.proc.pid) - cpu0
    finally:
        ms.stop()


def ingest_both(work: Path, shards: list[list[bytes]], repeat: int) -> list[dict[str, float]]:
    """``repeat`` pairs of ingests by fresh servers, alternating which goes first."""
    runs = []
    for n in range(repeat):
        out: dict[str, float] = {}
        order = ("prom", "ms") if n % 2 == 0 else ("ms", "prom")
        for who in order:
            run = ingest_prometheus if who == "prom" else ingest_meshscope
            out[f"{who}_s"], out[f"{who}_cpu"] = run(work / f"{n}-{who}", shards)
        runs.append(out)
    return runs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--minutes", type=int, default=60)
    ap.add_argument("--senders", type=int, default=4)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sweep", default="", help="more sender counts to ingest with, e.g. 1,16")
    ap.add_argument("--repeat", type=int, default=1, help="pairs of ingests per sweep count")
    args = ap.parse_args()
    steps = args.minutes * 60 // STEP_S + 1
    end_ms = (int(time.time()) - 30) // STEP_S * STEP_S * 1000
    series = series_set(args.series)
    with console.status(f"building {steps} × {args.series} samples as remote_write requests"):
        shards = make_bodies(series, steps, args.senders, end_ms)
    samples = steps * len(series)
    work = Path(tempfile.mkdtemp(prefix="ms-metrics-bench-"))
    results: dict[str, dict[str, float]] = {"meshscope": {}, "prometheus": {}}
    sweep: dict[int, list[dict[str, float]]] = {}
    try:
        (work / "prom").mkdir()
        prom = PrometheusProcess(work / "prom", "global: {scrape_interval: 1h}\n",
                                 extra_args=["--web.enable-remote-write-receiver", "--web.enable-admin-api"])
        try:
            with console.status("Prometheus: ingest"):
                cpu0 = cpu_seconds(prom.proc.pid)
                results["prometheus"]["ingest_s"] = ingest(f"{prom.url}/api/v1/write", shards)
                results["prometheus"]["ingest_cpu"] = cpu_seconds(prom.proc.pid) - cpu0
            with console.status("Prometheus: queries"):
                results["prometheus"].update(query_times(prom.url, end_ms / 1000, args.minutes, args.runs))
            results["prometheus"]["bytes"] = prometheus_bytes(prom)
        finally:
            prom.stop()
        ms = ServerProcess(work / "ms" / "data", env_overrides={"MESHSCOPE_INGEST__FLUSH_INTERVAL": "1s"})
        (work / "ms").mkdir()
        ms.start()
        try:
            with console.status("meshscope: ingest"):
                assert ms.proc is not None
                cpu0, threads0 = cpu_seconds(ms.proc.pid), thread_cpu(ms.proc.pid)
                results["meshscope"]["ingest_s"] = ingest(f"{ms.http_url}/api/v1/write", shards)
                results["meshscope"]["ingest_cpu"] = cpu_seconds(ms.proc.pid) - cpu0
                threads = cpu_by_thread_name(threads0, thread_cpu(ms.proc.pid))
            with console.status("meshscope: queries"):
                results["meshscope"].update(query_times(ms.http_url, end_ms / 1000, args.minutes, args.runs))
        finally:
            ms.stop()
        with console.status("meshscope: merges and codecs"):
            results["meshscope"]["bytes"], alternatives = meshscope_storage(work / "ms" / "data")
        for n in (int(x) for x in args.sweep.split(",") if x):
            with console.status(f"ingest with {n} senders, both servers afresh"):
                sweep[n] = ingest_both(work / f"sweep-{n}", make_bodies(series, steps, n, end_ms), args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(results, samples, args, alternatives, sweep)
    console.print("meshscope ingest CPU seconds by thread: " + ", ".join(
        f"{name} {seconds:.2f}" for name, seconds in threads.items() if seconds >= 0.01))


def report(results: dict[str, dict[str, float]], samples: int, args: argparse.Namespace,
           alternatives: list[tuple[str, int]], sweep: dict[int, list[dict[str, float]]]) -> None:
    m, p = results["meshscope"], results["prometheus"]
    load = os.getloadavg()[0]
    table = Table(caption=f"load average at the end: {load:.1f} on {os.cpu_count()} cores",
                  title=f"Metrics: {args.series} series × {args.minutes} min at {STEP_S}s = {samples:,} samples, "
                        f"{args.senders} remote_write senders")
    for col in ("measure", "meshscope", "Prometheus 2.42", "ratio", "goal"):
        table.add_column(col, justify="right" if col != "measure" else "left")
    mi, pi = samples / m["ingest_s"], samples / p["ingest_s"]
    table.add_row("remote_write ingest, samples/s", f"{mi:,.0f}", f"{pi:,.0f}", f"{mi / pi:.2f}×", "≥ 2×")
    mc, pc = samples / m["ingest_cpu"], samples / p["ingest_cpu"]
    table.add_row("ingest samples per CPU-second (server process)", f"{mc:,.0f}", f"{pc:,.0f}", f"{mc / pc:.2f}×",
                  "≥ 2×")
    for n, runs in sweep.items():
        for label, key in (("samples/s", "_s"), ("samples per CPU-second", "_cpu")):
            mine = [samples / r["ms" + key] for r in runs]
            theirs = [samples / r["prom" + key] for r in runs]
            ratios = sorted(a / b for a, b in zip(mine, theirs, strict=True))
            spread = f" ({ratios[0]:.2f}–{ratios[-1]:.2f})" if len(runs) > 1 else ""
            table.add_row(f"  {n} senders, {label}" + (f", median of {len(runs)}" if len(runs) > 1 else ""),
                          f"{statistics.median(mine):,.0f}", f"{statistics.median(theirs):,.0f}",
                          f"{statistics.median(ratios):.2f}×{spread}", "≥ 2×")
    mb, pb = m["bytes"] / samples, p["bytes"] / samples
    table.add_row("bytes per sample on disk (after merges)", f"{mb:.2f}", f"{pb:.2f}", f"{mb / pb:.2f}×", "≤ 1.0×")
    for name in QUERIES:
        table.add_row(f"query_range {name}, ms", f"{m[name] * 1000:.0f}", f"{p[name] * 1000:.0f}",
                      f"{p[name] / m[name]:.2f}×", "≥ 1.0× (speed)")
    console.print(table)
    codecs = Table(title="meshscope sample columns (ts / value codec), bytes per sample after OPTIMIZE FINAL")
    codecs.add_column("codecs")
    codecs.add_column("bytes/sample", justify="right")
    for label, b in alternatives:
        codecs.add_row(label, f"{b / samples:.3f}")
    console.print(codecs)


if __name__ == "__main__":
    main()
