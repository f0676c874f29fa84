"""LogQL query latency on synthetic logs in embedded chDB, and what the token filter buys.

Generates ``--lines`` logfmt lines (8 services, levels, request ids, a rare token in 1 of 100k)
with SQL, then times LogQL queries through :class:`LogQLEngine` and two SQL shapes of a line
filter (``hasToken`` + ``position`` against ``position`` alone).

    .venv/bin/python bench/logql_queries.py [--lines 2000000]
"""

from __future__ import annotations

import argparse
import shutil
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

S = 10**9
SERVICES = "['gateway','orders','payments','inventory','shipping','users','search','recs']"


def load(ex: Executor, lines: int, start_ns: int, span_s: int) -> None:
    step = span_s * S // lines
    ex.command(f"""
        INSERT INTO {ex.database}.logs (timestamp, service_name, labels, body, severity_text)
        SELECT fromUnixTimestamp64Nano(toInt64({start_ns} + number * {step})) AS ts,
               {SERVICES}[number % 8 + 1] AS svc,
               map('service_name', svc, 'env', if(number % 3 = 0, 'dev', 'prod')) AS labels,
               concat('level=', ['info','info','info','warn','error'][number % 5 + 1],
                      ' method=', ['GET','POST','PUT'][number % 3 + 1],
                      ' path=/api/v1/items/', toString(number % 997),
                      ' status=', ['200','200','404','500'][number % 4 + 1],
                      ' took=', toString(number % 1500), 'ms',
                      ' req=', lower(hex(cityHash64(number))),
                      if(number % 100000 = 7, ' token=zq9xkrare', ''),
                      ' msg="handled request for user ', toString(number % 5000), '"') AS body,
               'INFO'
        FROM numbers({lines})""", {"max_insert_threads": 2})


def timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def size(result: object) -> str:
    data = result if isinstance(result, dict) else {}
    if data.get("resultType") == "streams":
        return f"{sum(len(s['values']) for s in data['result'])} lines"
    if data.get("resultType") == "matrix":
        return f"{len(data['result'])} series"
    return str(result)[:40]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=2_000_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="logql-bench-"))
    console = Console()
    try:
        ex = open_executor("", tmp / "chdb", "meshscope")
        migrate.apply(ex, RetentionSettings())
        end = time.time_ns() // S * S
        start = end - 3600 * S
        t0 = time.perf_counter()
        load(ex, args.lines, start, 3600)
        console.print(f"loaded {args.lines:,} lines in {time.perf_counter() - t0:.1f}s")
        # Each query reads its data: no granule results cached from an earlier query's condition.
        ex.command("SET use_query_condition_cache = 0")
        engine = LogQLEngine(ex)
        table = Table("query", "seconds", "answer")

        def log(q: str, limit: int = 100) -> Callable[[], object]:
            return lambda: engine.query_range(RangeQuery(q, start, end + S, 60 * S, limit, True))

        def metric(q: str, step_s: int = 60) -> Callable[[], object]:
            return lambda: engine.query_range(RangeQuery(q, start, end, step_s * S))

        cases: list[tuple[str, Callable[[], object]]] = [
            ('{service_name="orders"} (newest 100)', log('{service_name="orders"}')),
            ('{env="prod"} |= "zq9xkrare" (rare, bare word: position only)', log('{env=~".+"} |= "zq9xkrare"')),
            ('{env=~".+"} |= "token=zq9xkrare " (whole token: index)', log('{env=~".+"} |= "token=zq9xkrare "')),
            ('{env=~".+"} |= " user 4242\\"" (common phrase, 1000 limit)', log('{env=~".+"} |= " user 4242\\""', 1000)),
            ('{env=~".+"} |~ "status=5.. took=14[0-9]{2}ms" (regex)',
             log('{env=~".+"} |~ "status=5.. took=14[0-9]{2}ms"')),
            ('{service_name="orders"} | logfmt | took > 1490ms (Python)',
             log('{service_name="orders"} | logfmt | took > 1490ms')),
            ('sum by (service_name) (count_over_time({env=~".+"}[1m])) (SQL)',
             metric('sum by (service_name) (count_over_time({env=~".+"}[1m]))')),
            ('sum by (env) (rate({env=~".+"} |= "status=500" [5m])) step 15s (SQL)',
             metric('sum by (env) (rate({env=~".+"} |= "status=500" [5m]))', 15)),
            ('sum by (level) (count_over_time({service_name="orders"} | logfmt [1m])) (SQL fields)',
             metric('sum by (level) (count_over_time({service_name="orders"} | logfmt [1m]))')),
            ('the same with "| drop x" before logfmt (Python)',
             metric('sum by (level) (count_over_time({service_name="orders"} | drop x | logfmt [1m]))')),
            ('sum by (method) (count_over_time({env=~".+"} | logfmt | status="500" [5m])) (SQL fields)',
             metric('sum by (method) (count_over_time({env=~".+"} | logfmt | status="500" [5m]))')),
        ]
        for name, fn in cases:
            seconds, result = timed(fn, repeat=1 if "Python" in name else 2)
            table.add_row(name, f"{seconds:.3f}", size(result))
        for name, where in (("SQL hasToken 'token', 'zq9xkrare' AND position", "hasToken(body, 'token') AND "
                             "hasToken(body, 'zq9xkrare') AND position(body, 'token=zq9xkrare ') > 0"),
                            ("SQL position only", "position(body, 'token=zq9xkrare ') > 0")):
            seconds, result = timed(lambda w=where: ex.rows(f"SELECT count() AS n FROM meshscope.logs WHERE {w}"))
            table.add_row(name, f"{seconds:.3f}", str(result))
        console.print(table)
        ex.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
