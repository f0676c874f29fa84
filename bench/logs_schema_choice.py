"""Why logs are ordered and granulated as they are: bytes on disk, rows read and time per query shape.

Loads the same synthetic lines (bench/logs_corpus.py) into tables that differ only in ORDER BY and
index granularity, then runs the shapes LogQL compiles to: a rare token and a common word through
the text index, a regex, a stream selector with a severity filter, a trace id, an attribute item,
and a per-level count. Rows read come from system.query_log (deterministic); times are best of 3.

    .venv/bin/python bench/logs_schema_choice.py [--lines 3000000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from chdb import session
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from logs_corpus import RARE_TOKEN, lines, raw_line  # noqa: E402

VARIANTS = {
    "svc,ts / 8192": ("(service_name, timestamp)", 8192),
    "svc,ts / 1024": ("(service_name, timestamp)", 1024),
    "ts / 8192": ("(timestamp)", 8192),
    "svc,sev,ts / 8192": ("(service_name, severity_number, timestamp)", 8192),
}
QUERIES = {
    "rare token": "hasAllTokens(body, ['{rare}'])",
    "common word": "hasAllTokens(body, ['timeout'])",
    "regex": "match(body, 'user_id=4[0-9]{{3}}\\\\b')",
    "svc + level": "service_name = 'payments' AND severity_number >= 17",
    "trace id": "trace_id = '{trace}'",
    "svc, last 10 min": "service_name = 'orders' AND timestamp > now() - INTERVAL 10 MINUTE",
    "attribute": "has(arrayMap((k, v) -> concat(k, '=', v), mapKeys(attributes), mapValues(attributes)), "
                 "'provider=adyen')",
}


def table_sql(name: str, order: str, granularity: int) -> str:
    return f"""CREATE TABLE b.{name} (
    timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)), trace_id String CODEC(ZSTD(1)),
    severity_text LowCardinality(String), severity_number UInt8, service_name LowCardinality(String),
    labels Map(LowCardinality(String), String) CODEC(ZSTD(1)), body String CODEC(ZSTD(1)),
    attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    INDEX idx_body body TYPE text(tokenizer = splitByNonAlpha, preprocessor = lower(body),
        posting_list_codec = 'bitpacking'),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_attr_items arrayMap((k, v) -> concat(k, '=', v), mapKeys(attributes), mapValues(attributes))
        TYPE bloom_filter(0.01) GRANULARITY 1)
ENGINE = MergeTree PARTITION BY toDate(timestamp) ORDER BY {order}
SETTINGS index_granularity = {granularity}"""


def write_corpus(path: Path, n: int) -> str:
    sev = {"debug": (5, "DEBUG"), "info": (9, "INFO"), "warn": (13, "WARN"), "error": (17, "ERROR")}
    trace = ""
    with open(path, "w") as f:
        for i, ln in enumerate(lines(n, time.time_ns() - 6 * 3600 * 10**9, 6 * 3600)):
            tid = ln.text.rsplit("trace_id", 1)[-1].strip('=":} ')[:32] if "trace_id" in ln.text else ""
            attrs = {"provider": ln.text.split('"provider":"')[1][:5]} if '"provider"' in ln.text else {}
            num, text = sev[ln.level]
            f.write(json.dumps({"timestamp": ln.ts_ns, "trace_id": tid, "severity_text": text, "severity_number": num,
                                "service_name": ln.service, "labels": {"service_name": ln.service, "host": ln.host,
                                                                       "level": ln.level},
                                "body": ln.text, "attributes": attrs}) + "\n")
            if i == n // 2:
                trace = tid
    return trace


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=3_000_000)
    args = ap.parse_args()
    console = Console()
    tmp = Path(tempfile.mkdtemp(prefix="logs-schema-"))
    try:
        corpus = tmp / "corpus.json"
        trace = write_corpus(corpus, args.lines)
        s = session.Session(str(tmp / "db"))
        s.query("CREATE DATABASE b")
        table = Table(title=f"logs ORDER BY / granularity, {args.lines:,} lines (rows read · ms)")
        raw = sum(len(raw_line(ln)) + 1 for ln in lines(args.lines, time.time_ns() - 6 * 3600 * 10**9, 6 * 3600))
        console.print(f"raw log file: {raw / 1e6:.0f} MB")
        table.add_column("variant")
        table.add_column("MB on disk", justify="right")
        for q in QUERIES:
            table.add_column(q, justify="right")
        for n, (label, (order, gran)) in enumerate(VARIANTS.items()):
            name = f"t{n}"
            s.query(table_sql(name, order, gran))
            s.query(f"INSERT INTO b.{name} SELECT fromUnixTimestamp64Nano(toInt64(timestamp)), * EXCEPT timestamp "
                    f"FROM file('{corpus}', 'JSONEachRow', 'timestamp UInt64, trace_id String, severity_text String, "
                    "severity_number UInt8, service_name String, labels Map(String, String), body String, "
                    "attributes Map(String, String)')")
            s.query(f"OPTIMIZE TABLE b.{name} FINAL")
            size = float(s.query(f"SELECT sum(bytes_on_disk) FROM system.parts WHERE database = 'b' AND table = "
                                 f"'{name}' AND active", "CSV").bytes())
            cells = [label, f"{size / 1e6:.0f}"]
            for cond in QUERIES.values():
                sql = f"SELECT sum(length(body)) FROM b.{name} WHERE {cond.format(rare=RARE_TOKEN, trace=trace)}"
                best = min(_timed(s, sql) for _ in range(3))
                read = _rows_read(s, sql)
                cells.append(f"{read:,} · {best * 1000:.0f}")
            table.add_row(*cells)
        console.print(table)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _timed(s: session.Session, sql: str) -> float:
    t = time.perf_counter()
    s.query(sql + " SETTINGS use_query_condition_cache = 0", "CSV")
    return time.perf_counter() - t


def _rows_read(s: session.Session, sql: str) -> int:
    res = s.query(sql + " SETTINGS use_query_condition_cache = 0", "JSON")
    return int(json.loads(res.bytes())["statistics"]["rows_read"])


if __name__ == "__main__":
    main()
