"""The agent's read → process → ship rate with a real server on the same machine, and its cost.

Backlog runs: N lines already in a file, the agent reads from the beginning; the clock stops when
the server has acknowledged the whole file (the agent's ``acked`` offset reaches the file size),
then the stored row count is checked. Steady run: a writer appends 10,000 lines/s for a while and
the agent's CPU and memory are sampled from /proc. Prints a rich table.

    .venv/bin/python bench/agent_throughput.py [--lines 300000] [--steady-seconds 15]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.agent import AgentProcess, seq_counts  # noqa: E402
from support.server import ServerProcess  # noqa: E402

console = Console(width=170)
TICK = os.sysconf("SC_CLK_TCK")
WORDS = ["order", "payment", "cart", "user", "shipping", "inventory", "checkout", "request", "response",
         "cache", "db", "timeout"]


def plain_line(i: int, rnd: random.Random) -> str:
    level = rnd.choice(["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"])
    words = " ".join(rnd.choice(WORDS) for _ in range(8))
    return f"2024-05-01T10:00:00.{i % 1000:03d}Z {level} seq={i} {words} user=u{i % 977} ms={rnd.randrange(900)}\n"


def json_line(i: int, rnd: random.Random) -> str:
    return json.dumps({"message": f"seq={i} " + " ".join(rnd.choice(WORDS) for _ in range(6)),
                       "level": rnd.choice(["info", "warn", "error"]), "user": f"u{i % 977}@example.com",
                       "trace": f"{rnd.getrandbits(64):016x}", "ms": rnd.randrange(900)}) + "\n"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int, key: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def backlog(server: ServerProcess, root: Path, name: str, lines: int, make, extra: dict) -> dict:
    logs = root / name
    logs.mkdir()
    rnd = random.Random(1)
    path = logs / "app.log"
    with open(path, "w") as f:
        for start in range(0, lines, 10_000):
            f.write("".join(make(i, rnd) for i in range(start, min(lines, start + 10_000))))
    size = path.stat().st_size
    config = {"files": {"app": {"paths": [str(path)], "read_from": "beginning", "service_name": name, **extra}},
              "output": {"batch_max_records": 5000, "batch_timeout": "1s"}, "tailing": {"poll_interval": "250ms"}}
    agent = AgentProcess(root / f"{name}-agent", server.otlp_http_url, config).start()
    assert agent.proc is not None
    pid, cpu0, t0 = agent.proc.pid, cpu_seconds(agent.proc.pid), time.perf_counter()
    peak = 0.0
    while True:
        files = agent.status()["files"]
        peak = max(peak, rss_mb(pid))
        if files and files[0]["acked"] >= size:
            break
        time.sleep(0.05)
    wall, cpu = time.perf_counter() - t0, cpu_seconds(pid) - cpu0
    agent.stop()
    stored = seq_counts(server, name)[0] if "seq=" in make(0, rnd) else -1
    return {"name": name, "lines": lines, "mb": size / 1e6, "wall": wall, "cpu": cpu, "rss": peak,
            "stored": stored}


def steady(server: ServerProcess, root: Path, seconds: float, rate: int) -> dict:
    logs = root / "steady"
    logs.mkdir()
    path = logs / "app.log"
    path.write_text("start\n")
    config = {"files": {"app": {"paths": [str(path)], "read_from": "beginning", "service_name": "steady"}},
              "output": {"batch_timeout": "1s"}, "tailing": {"poll_interval": "250ms"}}
    agent = AgentProcess(root / "steady-agent", server.otlp_http_url, config).start()
    assert agent.proc is not None
    stop = threading.Event()

    def writer() -> None:
        rnd, i = random.Random(2), 0
        with open(path, "a") as f:
            while not stop.is_set():
                t = time.perf_counter()
                f.write("".join(plain_line(i + k, rnd) for k in range(rate // 10)))
                f.flush()
                i += rate // 10
                time.sleep(max(0.0, 0.1 - (time.perf_counter() - t)))

    th = threading.Thread(target=writer)
    th.start()
    time.sleep(2)  # warm up
    pid, cpu0, t0 = agent.proc.pid, cpu_seconds(agent.proc.pid), time.perf_counter()
    time.sleep(seconds)
    cpu, wall, rss = cpu_seconds(pid) - cpu0, time.perf_counter() - t0, rss_mb(pid)
    stop.set()
    th.join()
    agent.stop()
    return {"cpu_share": cpu / wall, "rss": rss, "rate": rate}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=300_000)
    ap.add_argument("--steady-seconds", type=float, default=15)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = ServerProcess(root / "data").start()
        try:
            runs = [backlog(server, root, "plain", args.lines, plain_line, {}),
                    backlog(server, root, "json_redact", args.lines, json_line, {"parser": {"type": "json"}}),
                    backlog(server, root, "plain_multiline", args.lines, plain_line,
                            {"multiline": {"start": r"^\d{4}-"}})]
            st = steady(server, root, args.steady_seconds, 10_000)
        finally:
            server.stop()
    table = Table(title=f"meshscope agent → server on the same {os.cpu_count()}-core machine")
    for col in ("run", "lines", "MB", "seconds", "lines/s", "MB/s", "agent CPU s", "lines per agent CPU s",
                "CPU cores per 10k lines/s", "peak RSS MB", "stored"):
        table.add_column(col, justify="right")
    for r in runs:
        rate = r["lines"] / r["wall"]
        table.add_row(r["name"], f"{r['lines']:,}", f"{r['mb']:.0f}", f"{r['wall']:.1f}", f"{rate:,.0f}",
                      f"{r['mb'] / r['wall']:.1f}", f"{r['cpu']:.1f}", f"{r['lines'] / r['cpu']:,.0f}",
                      f"{r['cpu'] / r['wall'] / (rate / 1e4):.2f}",
                      f"{r['rss']:.0f}", f"{r['stored']:,}" if r["stored"] >= 0 else "n/a")
    table.add_row("steady 10k lines/s", "", "", f"{args.steady_seconds:.0f}", f"{st['rate']:,}", "", "", "",
                  f"{st['cpu_share']:.2f}", f"{st['rss']:.0f}", "")
    console.print(table)
    console.print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    console.print("CPU cores per 10k lines/s = agent CPU seconds / wall seconds / (lines/s / 10,000); "
                  "the server runs on the same 2 cores and competes for them.")


if __name__ == "__main__":
    main()
