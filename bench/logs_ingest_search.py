"""Log ingest and search against ripgrep: a real server fed through Loki push and OTLP.

Generates realistic lines (bench/logs_corpus.py: 8 services, templates with variable fields,
levels, shared trace ids, one rare token per million lines), writes them as a raw log file and
as Loki push bodies, then measures:

* ingest lines/s through ``POST /loki/api/v1/push`` (JSON, several clients, acknowledged =
  stored) and through OTLP/HTTP (protobuf) on a second server;
* compression: raw file bytes / bytes of the ``logs`` table on disk (data and indexes);
* query latency through the Loki API (LogQL) and SQL next to ``rg`` over the raw file, in the
  same run, once the merges the bulk load queued have settled (the time that took is a row).
  A query's time is the best of three runs, each with its end moved by a nanosecond so that
  ClickHouse's query condition cache cannot answer a repeat from the granules it found empty; the
  first run (cold caches) is in the notes. ``rg`` is the best of three (the raw file in the page cache).
  The rare token is also timed in pairs with ``rg`` (median ratio), since ``rg``'s own time drifts.

    .venv/bin/python bench/logs_ingest_search.py [--lines 10000000] [--otlp-lines 2000000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from rich.console import Console
from rich.markup import escape
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from logs_corpus import RARE_TOKEN, lines, raw_line  # noqa: E402

from support.server import ServerProcess  # noqa: E402

console = Console(width=230)
SPAN_S = 6 * 3600
PER_REQUEST = 10_000
# One client with kept-alive connections, as Grafana's data source has: a new httpx client per call
# builds an SSL context (~25 ms here), which the first version of this bench timed with every query.
HTTP = httpx.Client(timeout=600)
SEVERITY = {"debug": (5, "DEBUG"), "info": (9, "INFO"), "warn": (13, "WARN"), "error": (17, "ERROR")}


def generate(work: Path, n: int, otlp_n: int) -> tuple[Path, list[Path], list[Path]]:
    """Raw file, Loki push bodies and OTLP bodies (cached in ``work`` for the same sizes)."""
    done = work / "done"
    raw, loki_dir, otlp_dir = work / "raw.log", work / "loki", work / "otlp"
    if not done.exists():
        shutil.rmtree(work, ignore_errors=True)
        loki_dir.mkdir(parents=True)
        otlp_dir.mkdir()
        start = time.time_ns() - (SPAN_S + 600) * 10**9
        batch: list = []
        with open(raw, "w") as f, console.status("generating lines") as status:
            for i, ln in enumerate(lines(n, start, SPAN_S)):
                f.write(raw_line(ln) + "\n")
                batch.append(ln)
                if len(batch) == PER_REQUEST:
                    _write_bodies(batch, i // PER_REQUEST, loki_dir, otlp_dir if i < otlp_n else None)
                    batch = []
                    status.update(f"generating lines: {i + 1:,}")
            if batch:
                _write_bodies(batch, n // PER_REQUEST + 1, loki_dir, otlp_dir if n <= otlp_n else None)
        done.write_text(str(start))
    return raw, sorted(loki_dir.iterdir()), sorted(otlp_dir.iterdir())


def _write_bodies(batch: list, k: int, loki_dir: Path, otlp_dir: Path | None) -> None:
    streams: dict[tuple[str, str, str], list[list[str]]] = defaultdict(list)
    for ln in batch:
        streams[(ln.service, ln.host, ln.level)].append([str(ln.ts_ns), ln.text])
    body = {"streams": [{"stream": {"job": "bench", "service_name": s, "host": h, "level": lv}, "values": v}
                        for (s, h, lv), v in streams.items()]}
    (loki_dir / f"{k:06d}.json").write_text(json.dumps(body))
    if otlp_dir is not None:
        (otlp_dir / f"{k:06d}.pb").write_bytes(_otlp(batch))


def _otlp(batch: list) -> bytes:
    req = ExportLogsServiceRequest()
    by_resource: dict[tuple[str, str], list] = defaultdict(list)
    for ln in batch:
        by_resource[(ln.service, ln.host)].append(ln)
    for (service, host), items in by_resource.items():
        rl = req.resource_logs.add()
        for key, value in (("service.name", service), ("host.name", host)):
            kv = rl.resource.attributes.add()
            kv.key, kv.value.string_value = key, value
        sl = rl.scope_logs.add()
        for ln in items:
            lr = sl.log_records.add()
            lr.time_unix_nano = ln.ts_ns
            lr.severity_number, lr.severity_text = SEVERITY[ln.level]
            lr.body.string_value = ln.text
    return req.SerializeToString()


def _post(port: int, path: str, ctype: str, body: bytes, ok: int) -> None:
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        conn.request("POST", path, body, {"Content-Type": ctype})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        if resp.status == ok:
            return
        if resp.status not in (429, 503):
            raise RuntimeError(f"{path}: HTTP {resp.status}")
        time.sleep(float(resp.getheader("Retry-After") or 1))


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads: chDB runs inside the server)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ingest(server: ServerProcess, port: int, path: str, ctype: str, bodies: list[Path], ok: int,
           clients: int) -> tuple[float, float]:
    """Wall seconds to have every body acknowledged, and the server's CPU seconds meanwhile (the
    machine is shared, so CPU per line is the steadier figure)."""
    assert server.proc is not None
    cpu0, started = cpu_seconds(server.proc.pid), time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda p: _post(port, path, ctype, p.read_bytes(), ok), bodies))
    return time.perf_counter() - started, cpu_seconds(server.proc.pid) - cpu0


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def first_and_best(fn: Callable[[int], object], repeat: int = 3) -> tuple[float, float, object]:
    """The first run's time (cold caches) and the best of ``repeat``. Run ``k`` moves the query's end
    by ``k`` ns: ClickHouse's query condition cache remembers the granules a filter found empty and
    would answer an identical repeat from that, which a new search does not get."""
    times, result = [], None
    for k in range(repeat):
        t = time.perf_counter()
        result = fn(k)
        times.append(time.perf_counter() - t)
    return times[0], min(times), result


def rg(*args: str, pipe: str = "") -> tuple[float, str]:
    cmd = "rg " + " ".join(args) + (f" | {pipe}" if pipe else "")
    return best_of(lambda: subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=10_000_000)
    ap.add_argument("--otlp-lines", type=int, default=2_000_000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--work", type=Path, default=Path("/tmp/meshscope-bench-logs"))
    args = ap.parse_args()
    work = args.work / str(args.lines)
    raw, loki_bodies, otlp_bodies = generate(work, args.lines, args.otlp_lines)
    start_ns = int((work / "done").read_text())
    end_ns = start_ns + (SPAN_S + 60) * 10**9
    rows: list[tuple[str, str, str, str, str]] = []

    data = work / "server-loki"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    server = ServerProcess(data / "data", env_overrides={"MESHSCOPE_INGEST__FLUSH_INTERVAL": "1"}).start()
    try:
        with console.status("Loki push ingest"):
            secs, cpu = ingest(server, server.http_port, "/loki/api/v1/push", "application/json", loki_bodies, 204,
                               args.clients)
        rows.append(("ingest: Loki push (JSON)", f"{args.lines / secs:,.0f} lines/s", "", "",
                     f"{args.lines:,} lines in {secs:.1f} s; server CPU {cpu:.1f} s = "
                     f"{args.lines / cpu:,.0f} lines per CPU-second; load average {os.getloadavg()[0]:.1f}"))
        console.print(rows[-1])
        with console.status("merges after the bulk load"):
            rows.append(settle_merges(server))
            console.print(rows[-1])
        with console.status("queries"):
            rows += queries(server, raw, start_ns, end_ns)
            rows.insert(1, compression(server, raw))
            console.print(rows[1])
    finally:
        server.stop()
    rows += explain(data / "data" / "chdb")
    shutil.rmtree(data, ignore_errors=True)

    data = work / "server-otlp"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    server = ServerProcess(data / "data", env_overrides={"MESHSCOPE_INGEST__FLUSH_INTERVAL": "1"}).start()
    try:
        n = sum(1 for _ in otlp_bodies) * PER_REQUEST
        with console.status("OTLP ingest"):
            secs, cpu = ingest(server, server.otlp_port, "/v1/logs", "application/x-protobuf", otlp_bodies, 200,
                               args.clients)
        rows.insert(1, ("ingest: OTLP/HTTP (protobuf)", f"{n / secs:,.0f} lines/s", "", "",
                        f"{n:,} lines in {secs:.1f} s; server CPU {cpu:.1f} s = {n / cpu:,.0f} lines per CPU-second; "
                        f"load average {os.getloadavg()[0]:.1f}"))
        console.print(rows[1])
    finally:
        server.stop()
    shutil.rmtree(data, ignore_errors=True)
    table = Table(title=f"meshscope logs: {args.lines:,} lines, {raw.stat().st_size / 1e9:.2f} GB raw")
    for col in ("measure", "meshscope", "ripgrep", "meshscope / rg", "notes"):
        table.add_column(col, justify="left" if col in ("measure", "notes") else "right")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))  # "[tok]" is text, not rich markup
    console.print(table)


def sql(server: ServerProcess, query: str) -> dict:
    r = HTTP.get(f"{server.http_url}/api/ms/sql", params={"query": query})
    r.raise_for_status()
    return r.json()


def compression(server: ServerProcess, raw: Path) -> tuple[str, str, str, str, str]:
    parts = sql(server, "SELECT sum(bytes_on_disk) AS b, count() AS n FROM system.parts "
                        "WHERE database = 'meshscope' AND table = 'logs' AND active")["data"][0]
    ratio = raw.stat().st_size / parts["b"]
    where = "database = 'meshscope' AND table = 'logs'"
    col = {r["name"]: r["b"] for r in sql(server, f"SELECT name, data_compressed_bytes AS b FROM system.columns "
                                                  f"WHERE {where}")["data"]}
    index = {r["name"]: r["b"] for r in sql(server, "SELECT name, data_compressed_bytes AS b FROM "
                                                    f"system.data_skipping_indices WHERE {where}")["data"]}
    trace = sum(col.get(c, 0) for c in ("trace_own", "trace_at", "trace_len"))
    return ("compression (raw file / on disk)", f"{ratio:.1f}×", "", "",
            f"{parts['b'] / 1e6:,.0f} MB in {parts['n']} parts; body column {col['body'] / 1e6:,.0f} MB, "
            f"token filters {index['idx_tokens'] / 1e6:,.1f} + {index.get('idx_tokens_coarse', 0) / 1e6:,.1f} MB "
            f"(per granule + per 16), trace id {trace / 1e6:,.1f} MB (its index "
            f"{index['idx_trace_id'] / 1e6:,.1f} MB), labels {col['labels'] / 1e6:,.0f} MB, timestamp "
            f"{col['timestamp'] / 1e6:,.0f} MB")


def settle_merges(server: ServerProcess, limit_s: float = 300) -> tuple[str, str, str, str, str]:
    """Wait for the merges the bulk load queued: searches are timed on data at rest (a server taking
    steady traffic merges a little all the time, not 10M lines' worth at once)."""
    started = time.perf_counter()
    where = "database = 'meshscope' AND table = 'logs'"
    while time.perf_counter() - started < limit_s:
        if not sql(server, f"SELECT count() AS n FROM system.merges WHERE {where}")["data"][0]["n"]:
            break
        time.sleep(1)
    parts = sql(server, f"SELECT count() AS n FROM system.parts WHERE {where} AND active")["data"][0]["n"]
    waited = time.perf_counter() - started
    return ("merges after the load", f"{waited:.0f} s", "", "",
            f"{parts} parts when the searches began" + ("" if waited < limit_s else "; merges still running"))


def _loki(server: ServerProcess, path: str, **params: object) -> dict:
    r = HTTP.get(f"{server.http_url}/loki/api/v1/{path}", params=params)
    r.raise_for_status()
    return r.json()["data"]


def _count(data: dict) -> int:
    return int(sum(float(s["value"][1]) for s in data["result"]))


def explain(chdb_dir: Path) -> list[tuple[str, str, str, str, str]]:
    """EXPLAIN indexes = 1 on the stopped server's data: granules each index leaves to read."""
    from chdb import session

    out = []
    s = session.Session(str(chdb_dir))
    try:
        total = s.query("SELECT count() FROM meshscope.logs", "CSV").bytes().decode().strip()
        for name, where in (("rare token", f"hasToken(body, '{RARE_TOKEN}')"),
                            ("field filter", "service_name = 'payments' AND labels['level'] = 'error'")):
            plan = s.query(f"EXPLAIN indexes = 1 SELECT body FROM meshscope.logs WHERE {where}", "TSV")
            steps, index = [], "key"
            for ln in plan.bytes().decode().splitlines():
                if ln.strip() in ("Min-Max", "Partition", "PrimaryKey"):
                    index = ln.strip()
                elif "Name:" in ln:
                    index = ln.split("Name:")[1].strip()
                elif "Granules:" in ln and "/" in ln:
                    steps.append((index, ln.split("Granules:")[1].strip()))
            out.append((f"EXPLAIN indexes=1: {name}", f"Granules: {steps[-1][1]}" if steps else "?", "", "",
                        "granules left after each index: " + ", ".join(f"{i} {g}" for i, g in steps
                                                                     if i not in ("Min-Max", "Partition"))
                        + f"; {total} rows in all"))
    finally:
        s.close()
    return out


def paired_with_rg(server: ServerProcess, query: str, rg_args: tuple[str, ...], start_ns: int, end_ns: int,
                   pairs: int = 7) -> tuple[str, str, str, str, str]:
    """The rare-token search and ``rg`` run one after the other, ``pairs`` times: ``rg``'s time moves
    by 2x between runs on shared cores (one file, one thread), so each search is divided by the
    ``rg`` run next to it and the median ratio is reported, with its range."""
    mine, theirs = [], []
    for k in range(pairs):
        started = time.perf_counter()
        _loki(server, "query_range", query=query, start=start_ns, end=end_ns + 100 + k, limit=100)
        mine.append(time.perf_counter() - started)
        started = time.perf_counter()
        subprocess.run(["rg", *rg_args], capture_output=True, check=False)
        theirs.append(time.perf_counter() - started)
    ratios = sorted(m / t for m, t in zip(mine, theirs, strict=True))
    return ("rare token, LogQL, paired with rg", f"{sorted(mine)[pairs // 2] * 1000:,.0f} ms",
            f"{sorted(theirs)[pairs // 2] * 1000:,.0f} ms", f"{ratios[pairs // 2]:.2f}",
            f"median of {pairs} alternating pairs (each search / the rg run after it); "
            f"ratios {ratios[0]:.2f}–{ratios[-1]:.2f}")


def queries(server: ServerProcess, raw: Path, start_ns: int, end_ns: int) -> list[tuple[str, str, str, str, str]]:
    f, out = str(raw), []
    whole = f"[{(end_ns - start_ns) // 10**9}s]"

    def add(name: str, mine: Callable[[], tuple[float, float, object]], theirs: tuple[float, str],
            note: str) -> None:
        try:
            t, best, answer = mine()
        except httpx.HTTPError as exc:  # report it in the table, keep measuring the rest
            out.append((name, "error", f"{theirs[0] * 1000:,.0f} ms", "", str(exc)[:120]))
            return
        out.append((name, f"{best * 1000:,.0f} ms", f"{theirs[0] * 1000:,.0f} ms", f"{best / theirs[0]:.2f}",
                    f"{note}; first run {t * 1000:,.0f} ms; answers {answer} / {theirs[1]}"))
        console.print(out[-1])

    t_rg = rg("-c", RARE_TOKEN, f)
    def lines_found(q: str) -> Callable[[], tuple[float, float, object]]:
        return lambda: first_and_best(lambda k: sum(len(s["values"]) for s in _loki(
            server, "query_range", query=q, start=start_ns, end=end_ns + k, limit=100)["result"]))

    def instant(q: str) -> Callable[[], tuple[float, float, object]]:
        return lambda: first_and_best(lambda k: _count(_loki(server, "query", query=q, time=end_ns + k)))

    add("rare token, LogQL |= \"[tok]\"", lines_found(f'{{job="bench"}} |= "[{RARE_TOKEN}]"'), t_rg,
        "lines found; whole token: token filter")
    out.append(paired_with_rg(server, f'{{job="bench"}} |= "[{RARE_TOKEN}]"', ("-c", RARE_TOKEN, f),
                              start_ns, end_ns))
    console.print(out[-1])
    add("rare token, SQL hasToken", lambda: first_and_best(lambda k: sql(server, (
        f"SELECT count() AS n FROM meshscope.logs WHERE hasToken(body, '{RARE_TOKEN}') "
        f"AND timestamp <= fromUnixTimestamp64Nano(toInt64({end_ns + k}))"))["data"][0]["n"]),
        t_rg, "token filter")
    add("rare token, LogQL |= \"tok\" (substring)", lines_found(f'{{job="bench"}} |= "{RARE_TOKEN}"'), t_rg,
        "bare literal, Loki's substring meaning")
    add("common word, newest 100 lines", lines_found('{job="bench"} |= "timeout"'),
        rg("timeout", f, pipe="tail -n 100 | wc -l"), "time slices from the newest; rg: rg | tail -n 100")
    add("common word (count), LogQL |= \"timeout\"",
        instant(f'sum(count_over_time({{job="bench"}} |= "timeout" {whole}))'), rg("-c", "timeout", f), "scan")
    add("regex (count), LogQL |~", instant(f'sum(count_over_time({{job="bench"}} |~ "user_id=4[0-9]{{3}}\\\\b" '
                                           f'{whole}))'), rg("-c", "'user_id=4[0-9]{3}\\b'", f), "scan")
    add("field filter (count) {service, level}",
        instant(f'sum(count_over_time({{job="bench", service_name="payments", level="error"}} {whole}))'),
        rg("-c", "'^\\S+ ERROR payments '", f), "primary key on service_name")
    add("sum by (level) (count_over_time([1m]))", lambda: first_and_best(lambda k: len(_loki(
        server, "query_range", query='sum by (level) (count_over_time({job="bench"}[1m]))',
        start=start_ns, end=end_ns + k, step="60s")["result"])),
        rg("-o", "-N", "-r", "'$1 $2'", "'^(\\S{16})\\S* (\\w+)'", f, pipe="LC_ALL=C sort -S 512M | uniq -c | wc -l"),
        "range query, 1 min step; rg: rg -o | sort | uniq -c")
    return out


if __name__ == "__main__":
    main()
