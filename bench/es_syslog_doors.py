"""What a document costs through each Elasticsearch door, and a message through syslog TLS vs TCP.

One real server (syslog TLS on, test CA from tests/support/tls_certs.py). For each door the same
number of log documents is sent and the server's CPU seconds (all threads, chDB included) are
read from /proc before and after; the clock stops when the last one is acknowledged (HTTP) or
stored (syslog, polled through the SQL API). Ratios are against ``_bulk`` (documents) and against
plain TCP (syslog), measured in the same run.

    .venv/bin/python bench/es_syslog_doors.py [--docs 20000] [--single 1000] [--clients 4]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import ssl
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.log_reads import sql  # noqa: E402
from support.server import ServerProcess, free_port  # noqa: E402
from support.tls_certs import make_pki  # noqa: E402

console = Console(width=160)
PER_BULK = 1000


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads: chDB runs inside the server)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def doc(tag: str, i: int) -> dict:
    return {"@timestamp": time.time() - i / 1000, "message": f"{tag} GET /api/orders/{i} 200 in {i % 97} ms",
            "level": "info", "service": {"name": tag}, "host": {"name": "bench-host"}, "http": {"status": 200}}


def count(server: ServerProcess, tag: str) -> int:
    return int(sql(server, f"SELECT count() AS n FROM meshscope.logs WHERE service_name = '{tag}'")[0]["n"])


def measure(server: ServerProcess, run: Callable[[str], None], expect: int) -> tuple[float, float]:
    """Wall and server CPU seconds of ``run`` until ``expect`` rows of its tag are stored."""
    assert server.proc is not None
    tag = "b" + uuid.uuid4().hex[:8]
    cpu0, t0 = cpu_seconds(server.proc.pid), time.perf_counter()
    run(tag)
    while count(server, tag) < expect:
        time.sleep(0.02)
    wall, cpu = time.perf_counter() - t0, cpu_seconds(server.proc.pid) - cpu0
    assert count(server, tag) == expect, f"{tag}: more rows than sent"
    return wall, cpu


def bulk(url: str, n: int, clients: int) -> Callable[[str], None]:
    def run(tag: str) -> None:
        bodies = []
        for start in range(0, n, PER_BULK):
            lines = [json.dumps({"create": {"_index": "bench"}}) + "\n" + json.dumps(doc(tag, i)) + "\n"
                     for i in range(start, min(n, start + PER_BULK))]
            bodies.append("".join(lines).encode())
        with httpx.Client(timeout=60) as c, ThreadPoolExecutor(clients) as pool:
            for r in pool.map(lambda b: c.post(f"{url}/_bulk", content=b,
                                               headers={"Content-Type": "application/x-ndjson"}), bodies):
                assert r.status_code == 200 and not r.json()["errors"], r.text[:300]
    return run


def single(url: str, n: int, clients: int, with_id: bool) -> Callable[[str], None]:
    def run(tag: str) -> None:
        with httpx.Client(timeout=60) as c, ThreadPoolExecutor(clients) as pool:
            def one(i: int) -> int:
                if with_id:
                    return c.put(f"{url}/bench/_create/{tag}-{i}", json=doc(tag, i)).status_code
                return c.post(f"{url}/bench/_doc", json=doc(tag, i)).status_code
            assert set(pool.map(one, range(n))) == {201}
    return run


def syslog(port: int, n: int, context: ssl.SSLContext | None) -> Callable[[str], None]:
    def run(tag: str) -> None:
        frames = []
        for i in range(n):
            msg = f"<14>1 - bench-host {tag} - - - GET /api/orders/{i} 200 in {i % 97} ms".encode()
            frames.append(str(len(msg)).encode() + b" " + msg)
        raw = socket.create_connection(("127.0.0.1", port), timeout=30)
        sock = context.wrap_socket(raw, server_hostname="localhost") if context else raw
        with sock:
            sock.sendall(b"".join(frames))
            if isinstance(sock, ssl.SSLSocket):
                sock.unwrap()
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=20_000, help="documents through _bulk and syslog")
    ap.add_argument("--single", type=int, default=1_000, help="documents through _doc and _create")
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="es-syslog-bench-"))
    (work / "pki").mkdir()
    pki = make_pki(work / "pki")
    tls_port = free_port()
    server = ServerProcess(work / "data", env_overrides={
        "MESHSCOPE_SYSLOG__TLS_PORT": str(tls_port), "MESHSCOPE_SYSLOG__TLS_CERT_FILE": str(pki.server_cert),
        "MESHSCOPE_SYSLOG__TLS_KEY_FILE": str(pki.server_key),
        "MESHSCOPE_INGEST__FLUSH_INTERVAL": "0.25"}).start()
    client_tls = ssl.create_default_context(cafile=str(pki.ca))
    url = server.http_url
    runs = [("ES _bulk (1000 docs/request)", "docs", args.docs, bulk(url, args.docs, args.clients)),
            ("ES POST /<index>/_doc", "docs", args.single, single(url, args.single, args.clients, False)),
            ("ES PUT /<index>/_create/<id>", "docs", args.single, single(url, args.single, args.clients, True)),
            ("syslog TCP (octet-counted)", "syslog", args.docs, syslog(server.syslog_port, args.docs, None)),
            ("syslog TLS (octet-counted)", "syslog", args.docs, syslog(tls_port, args.docs, client_tls))]
    try:
        measure(server, bulk(url, 2000, 1), 2000)  # warm-up: first inserts and imports
        results = {name: (kind, n, *measure(server, run, n)) for name, kind, n, run in runs}
    finally:
        server.stop()
    table = Table(title=f"Log doors on one server; {args.clients} HTTP clients; load average "
                        f"{os.getloadavg()[0]:.1f}; ratio = CPU per document / reference")
    for col in ("door", "documents", "wall s", "docs/s", "server CPU s", "CPU µs/doc", "ratio", "reference"):
        table.add_column(col, justify="left" if col in ("door", "reference") else "right")
    refs = {"docs": "ES _bulk (1000 docs/request)", "syslog": "syslog TCP (octet-counted)"}
    for name, (kind, n, wall, cpu) in results.items():
        ref_kind, ref_n, _, ref_cpu = results[refs[kind]]
        per, ref_per = cpu / n, ref_cpu / ref_n
        table.add_row(name, f"{n:,}", f"{wall:.2f}", f"{n / wall:,.0f}", f"{cpu:.2f}", f"{per * 1e6:,.0f}",
                      f"{per / ref_per:.2f}x", refs[kind])
    console.print(table)


if __name__ == "__main__":
    main()
