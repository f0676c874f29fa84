"""OTLP/HTTP span ingest: end to end through a real server vs. the same rows inserted straight into chDB.

Prints spans/s end to end (several concurrent clients, acknowledged = stored), the ceiling (the
stored rows re-inserted into chDB from Arrow), their ratio, and bytes per span on disk.

    .venv/bin/python bench/otlp_ingest.py [--requests 60] [--spans 10000] [--clients 4]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.server import ServerProcess  # noqa: E402

SERVICES = ["gateway", "orders", "payments", "inventory", "shipping", "users", "search", "recommendations"]
ROUTES = ["GET /orders/{id}", "POST /checkout", "GET /catalog", "PUT /cart", "GET /users/{id}", "POST /pay"]
console = Console()


def make_request(n: int, seed: int) -> bytes:
    """``n`` spans shaped like real traces: one span per service in each trace, HTTP attributes, 10% errors."""
    rnd = random.Random(seed)
    req = ExportTraceServiceRequest()
    now = time.time_ns()
    per_service = n // len(SERVICES)
    trace_ids = [rnd.randbytes(16) for _ in range(per_service)]
    for depth, svc in enumerate(SERVICES):
        rs = req.resource_spans.add()
        for key, value in (("service.name", svc), ("service.version", "1.4.2"), ("host.name", f"{svc}-7d9f"),
                           ("deployment.environment", "prod"), ("k8s.pod.name", f"{svc}-7d9f-x2")):
            kv = rs.resource.attributes.add()
            kv.key, kv.value.string_value = key, value
        ss = rs.scope_spans.add()
        ss.scope.name = "opentelemetry.instrumentation.fastapi"
        for i in range(per_service):
            sp = ss.spans.add()
            sp.trace_id = trace_ids[i]
            sp.span_id = rnd.randbytes(8)
            if depth:
                sp.parent_span_id = rnd.randbytes(8)
            route = rnd.choice(ROUTES)
            sp.name = route
            sp.kind = 2 if i % 4 == 0 else 3
            start = now - rnd.randrange(0, 60_000_000_000)
            sp.start_time_unix_nano = start
            sp.end_time_unix_nano = start + rnd.randrange(100_000, 900_000_000)
            error = rnd.random() < 0.1
            sp.status.code = 2 if error else 0
            for key, value in (("http.request.method", route.split()[0]), ("http.route", route.split()[1]),
                               ("url.path", route.split()[1].replace("{id}", str(rnd.randrange(10**6)))),
                               ("server.address", f"{svc}.svc.cluster.local"), ("user_agent.original", "okhttp/4.9")):
                kv = sp.attributes.add()
                kv.key, kv.value.string_value = key, value
            kv = sp.attributes.add()
            kv.key, kv.value.int_value = "http.response.status_code", 500 if error else 200
    return req.SerializeToString()


def post(port: int, body: bytes) -> None:
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("POST", "/v1/traces", body, {"Content-Type": "application/x-protobuf"})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        if resp.status == 200:
            return
        if resp.status not in (429, 503):
            raise RuntimeError(f"server answered {resp.status}")
        time.sleep(0.2)


def end_to_end(bodies: list[bytes], spans: int, clients: int, data: Path) -> tuple[float, ServerProcess]:
    server = ServerProcess(data, env_overrides={}).start()
    post(server.otlp_port, make_request(100, 999))  # warm-up: schema cache, first part
    started = time.perf_counter()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("sending", total=len(bodies))
        with ThreadPoolExecutor(clients) as pool:
            for _ in pool.map(lambda b: post(server.otlp_port, b), bodies):
                progress.advance(task)
    elapsed = time.perf_counter() - started
    return len(bodies) * spans / elapsed, server


def direct_insert(data: Path, total: int) -> tuple[float, float]:
    """Re-insert the stored rows from Arrow into a copy of the table: the ceiling of the write path."""
    from chdb import session

    s = session.Session(str(data / "chdb"))
    s.query("OPTIMIZE TABLE meshscope.spans FINAL")
    parts = s.query("SELECT sum(bytes_on_disk) AS b, sum(rows) AS r FROM system.parts WHERE database = "
                    "'meshscope' AND table = 'spans' AND active", "CSV").bytes().decode().strip().split(",")
    bytes_per_span = int(parts[0]) / max(int(parts[1]), 1)
    import pyarrow as pa

    arrow = pa.ipc.open_stream(s.query("SELECT * FROM meshscope.spans", "ArrowStream").bytes()).read_all()
    s.query("CREATE TABLE meshscope.spans_direct AS meshscope.spans")
    tmp = data / "direct.arrow"
    with pa.OSFile(str(tmp), "wb") as f, pa.ipc.new_file(f, arrow.schema) as w:
        w.write_table(arrow)
    started = time.perf_counter()
    s.query(f"INSERT INTO meshscope.spans_direct SELECT * FROM file('{tmp}', 'Arrow')")
    elapsed = time.perf_counter() - started
    s.close()
    return arrow.num_rows / elapsed, bytes_per_span


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--spans", type=int, default=10_000)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="meshscope-bench-"))
    try:
        console.print(f"building {args.requests} requests × {args.spans} spans …")
        bodies = [make_request(args.spans, i) for i in range(args.requests)]
        rate, server = end_to_end(bodies, args.spans, args.clients, root / "data")
        stored = int(server.get("/api/ms/sql", query="SELECT count() AS n FROM meshscope.spans").json()["data"][0]["n"])
        server.stop()
        ceiling, per_span = direct_insert(root / "data", stored)
        table = Table(title=f"OTLP/HTTP span ingest ({args.clients} clients, {args.spans} spans/request, "
                            f"{os.cpu_count()} cores)")
        for col in ("measure", "value"):
            table.add_column(col)
        sent = (args.requests * args.spans + 100) // len(SERVICES) * len(SERVICES)
        table.add_row("spans stored / sent", f"{stored:,} / {sent:,}")
        table.add_row("end to end (acknowledged)", f"{rate:,.0f} spans/s")
        table.add_row("direct chDB insert from Arrow", f"{ceiling:,.0f} spans/s")
        table.add_row("ratio end to end / direct", f"{rate / ceiling:.2f}×")
        table.add_row("bytes per span on disk", f"{per_span:.1f}")
        console.print(table)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
