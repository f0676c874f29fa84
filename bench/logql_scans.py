"""Line-filter scans through LogQL next to ripgrep over the same raw file, in one run.

Loads bench/logs_corpus.py lines (8 services, realistic templates) into embedded chDB, writes the
same lines as a raw log file, then times the queries of bench/logs_ingest_search.py that scan
bodies (common word, regex, field filter, ``sum by (level) (count_over_time [1m])``) through
:class:`LogQLEngine` and ``rg`` on the file. Reports wall time and CPU seconds (this process, chDB
threads included; ``rg`` as a child) and the ratio to ripgrep.

    .venv/bin/python bench/logql_scans.py [--lines 2000000] [--work /tmp/meshscope-bench-logql]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from meshscope.config import RetentionSettings
from meshscope.logql.engine import LogQLEngine, RangeQuery
from meshscope.storage import migrate
from meshscope.storage.executor import Executor, open_executor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from logs_corpus import lines, raw_line  # noqa: E402

S = 10**9
SPAN_S = 6 * 3600
STRUCTURE = "ts Int64, service String, host String, level String, body String"


def generate(work: Path, n: int) -> tuple[Path, Path, int]:
    """The raw file and JSON rows for ``n`` lines (cached in ``work``), and the first line's time."""
    raw, rows, done = work / f"raw-{n}.log", work / f"rows-{n}.jsonl", work / f"done-{n}"
    if not done.exists():
        work.mkdir(parents=True, exist_ok=True)
        start = time.time_ns() // S * S - (SPAN_S + 600) * S
        with open(raw, "w") as f, open(rows, "w") as j:
            for ln in lines(n, start, SPAN_S):
                f.write(raw_line(ln) + "\n")
                j.write(json.dumps({"ts": ln.ts_ns, "service": ln.service, "host": ln.host, "level": ln.level,
                                    "body": ln.text}) + "\n")
        done.write_text(str(start))
    return raw, rows, int(done.read_text())


def load(ex: Executor, rows: Path) -> None:
    ex.insert_from_file(
        f"INSERT INTO {ex.database}.logs (timestamp, service_name, labels, body, severity_text) "
        "SELECT fromUnixTimestamp64Nano(ts), service, "
        "map('job', 'bench', 'service_name', service, 'host', host, 'level', level), body, upper(level) "
        "FROM {source}", rows, "JSONEachRow", STRUCTURE)
    ex.command(f"OPTIMIZE TABLE {ex.database}.logs FINAL")


def measured(fn: Callable[[], object], repeat: int = 3) -> tuple[float, float, object]:
    """Best wall seconds, CPU seconds of that run, and the answer."""
    best: tuple[float, float, object] = (float("inf"), 0.0, None)
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        answer = fn()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if wall < best[0]:
            best = (wall, cpu, answer)
    return best


def rg(args: str, pipe: str = "") -> tuple[float, float, str]:
    def run() -> str:
        return subprocess.run(f"rg {args}" + (f" | {pipe}" if pipe else ""), shell=True, capture_output=True,
                              text=True, check=False).stdout.strip()

    def children_cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    best: tuple[float, float, str] = (float("inf"), 0.0, "")
    for _ in range(3):
        c0, t0 = children_cpu(), time.perf_counter()
        out = run()
        wall, cpu = time.perf_counter() - t0, children_cpu() - c0
        if wall < best[0]:
            best = (wall, cpu, out)
    return best


def count(data: dict) -> int:  # type: ignore[type-arg]
    return int(sum(float(s["value"][1]) for s in data["result"]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=2_000_000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/meshscope-bench-logql"))
    args = ap.parse_args()
    console = Console(width=200)
    raw, rows, start = generate(args.work, args.lines)
    end = start + (SPAN_S + 1) * S
    whole = f"[{SPAN_S + 1}s]"
    with tempfile.TemporaryDirectory(prefix="logql-scans-") as tmp:
        ex = open_executor("", Path(tmp) / "chdb", "meshscope")
        migrate.apply(ex, RetentionSettings())
        t0 = time.perf_counter()
        load(ex, rows)
        console.print(f"loaded {args.lines:,} lines in {time.perf_counter() - t0:.1f}s")
        ex.command("SET use_query_condition_cache = 0")
        engine = LogQLEngine(ex)
        f = str(raw)

        def instant(q: str) -> Callable[[], object]:
            return lambda: count(engine.query_instant(q, end))

        cases = [
            ("common word |= \"timeout\"", instant(f'sum(count_over_time({{job="bench"}} |= "timeout" {whole}))'),
             rg(f"-c timeout {f}")),
            ("regex |~ \"user_id=4[0-9]{3}\\b\"",
             instant(f'sum(count_over_time({{job="bench"}} |~ "user_id=4[0-9]{{3}}\\\\b" {whole}))'),
             rg(f"-c 'user_id=4[0-9]{{3}}\\b' {f}")),
            ("field filter {service, level}",
             instant(f'sum(count_over_time({{job="bench", service_name="payments", level="error"}} {whole}))'),
             rg(f"-c '^\\S+ ERROR payments ' {f}")),
            ("sum by (level) (count_over_time [1m])",
             lambda: len(engine.query_range(RangeQuery('sum by (level) (count_over_time({job="bench"}[1m]))',
                                                       start, end, 60 * S))["result"]),
             rg(f"-o -N -r '$1 $2' '^(\\S{{16}})\\S* (\\w+)' {f}", pipe="LC_ALL=C sort -S 512M | uniq -c | wc -l")),
        ]
        table = Table("query", "meshscope wall", "CPU s", "rg wall", "rg CPU s", "wall ratio", "CPU ratio",
                      "answers (meshscope / rg)")
        for name, fn, (rg_wall, rg_cpu, rg_out) in cases:
            wall, cpu, answer = measured(fn)
            table.add_row(name, f"{wall * 1000:,.0f} ms", f"{cpu:.2f}", f"{rg_wall * 1000:,.0f} ms", f"{rg_cpu:.2f}",
                          f"{wall / rg_wall:.2f}", f"{cpu / max(rg_cpu, 1e-6):.2f}", f"{answer} / {rg_out}")
        ex.close()
        console.print(table)


if __name__ == "__main__":
    main()
