"""``meshscope demo`` for real: server, five services and load, read back through the Jaeger API.

Faults are forced up (half the cards declined, some inventory errors) so error spans appear in a
short run, then SIGTERM must stop every process the demo started.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.server import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]

SHOP = {"gateway", "orders", "payments", "inventory"}
METRICS = {"demo.requests", "demo.request.duration", "orders.created", "payments.amount", "inventory.stock.level"}


def children_of(root: int) -> set[int]:
    """Every live descendant of ``root``, found through /proc (the demo's children change sessions)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def tag(span: dict[str, Any], key: str) -> Any:
    return next((t["value"] for t in span.get("tags", []) if t["key"] == key), None)




def services_of(trace: dict[str, Any]) -> set[str]:
    return {trace["processes"][s["processID"]]["serviceName"] for s in trace["spans"]}


def poll(what: str, check: Any, timeout_s: float, log: Path) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            result = check()
        except httpx.HTTPError:
            result = None
        if result:
            return result
        time.sleep(1.0)
    pytest.fail(f"{what} not seen within {timeout_s:g}s; demo output:\n{log.read_text(errors='replace')[-3000:]}")


def test_demo_runs_the_shop_and_stops_everything(tmp_path: Path) -> None:
    http, grpc, otlp = free_port(), free_port(), free_port()
    out = tmp_path / "demo.out"
    cmd = [sys.executable, "-m", "meshscope", "demo", "--data-dir", str(tmp_path / "data"),
           "--http-port", str(http), "--otlp-grpc-port", str(grpc), "--otlp-http-port", str(otlp),
           "--rate", "6", "--seed", "1", "--fault", "payments.decline=0.5", "--fault", "inventory.error=0.1"]
    env = {**os.environ, "MESHSCOPE_INGEST__FLUSH_INTERVAL": "0.2", "COLUMNS": "120"}
    with out.open("wb") as sink:
        demo = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    api = f"http://127.0.0.1:{http}"
    seen: set[int] = set()
    try:
        def shop_listed() -> bool:
            seen.update(children_of(demo.pid))
            return set(httpx.get(f"{api}/api/services", timeout=5).json()["data"]) >= SHOP

        poll("the shop's services in /api/services", shop_listed, 60, out)

        def traces_with(predicate: Any) -> Any:
            seen.update(children_of(demo.pid))
            resp = httpx.get(f"{api}/api/traces", params={"service": "gateway", "limit": 20}, timeout=10)
            resp.raise_for_status()
            return [t for t in resp.json()["data"] if predicate(t)]

        deep = poll("a gateway trace across ≥3 services with a sqlite span", lambda: traces_with(
            lambda t: len(services_of(t)) >= 3 and any(tag(s, "db.system") == "sqlite" for s in t["spans"])),
            30, out)
        assert "gateway" in services_of(deep[0])
        def error_traces() -> Any:
            resp = httpx.get(f"{api}/api/ms/traces/search", params={"status": "error", "limit": 5}, timeout=10)
            resp.raise_for_status()
            return resp.json()["data"]

        failed = poll("an error span", error_traces, 60, out)
        assert all(t["errorCount"] >= 1 for t in failed)

        def sql(query: str) -> list[dict[str, Any]]:
            resp = httpx.get(f"{api}/api/ms/sql", params={"query": query}, timeout=30)
            resp.raise_for_status()
            return list(resp.json()["data"])

        poll("logs carrying trace ids from every shop service", lambda: {
            r["service_name"]
            for r in sql("SELECT DISTINCT service_name FROM meshscope.logs WHERE trace_id != ''")} >= SHOP,
            30, out)
        poll("request and business metrics", lambda: {
            r["metric_name"]
            for r in sql("SELECT DISTINCT metric_name FROM meshscope.otel_metrics")} >= METRICS, 30, out)
        poll("a CONSUMER span in notifications whose parent is a PRODUCER span in orders", lambda: sql(
            "SELECT 1 FROM meshscope.spans c JOIN meshscope.spans p ON c.trace_id = p.trace_id "
            "AND c.parent_span_id = p.span_id WHERE c.kind = 'consumer' AND c.service_name = 'notifications' "
            "AND p.kind = 'producer' AND p.service_name = 'orders'"), 30, out)

        seen.update(children_of(demo.pid))
        assert len(seen) >= 7, f"expected server, 5 services and load among {seen}"
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=40) == 0, out.read_text(errors="replace")[-3000:]
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    deadline = time.monotonic() + 5
    while any(alive(p) for p in seen) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [p for p in seen if alive(p)]
    assert not left, f"processes left behind: {left}"
    assert "meshscope demo stopped" in out.read_text(errors="replace")
