"""Where the logs table's bytes go, and what each storage option changes: per column, per index,
insert CPU and rows read.

Loads the same synthetic lines (bench/logs_corpus.py) into tables that differ in one choice from the
shipped shape (all migrations): the schema as first created and before 011 (row-level text index, a
separate trace id), bloom filter sizes, body codec, sorting key. Each table is merged to one part and
measured from system.columns / system.data_skipping_indices; rows read come from ClickHouse's own
counters. ``--merges`` instead inserts 2M lines in request-sized inserts and reports the CPU the
background merges took under a few merge settings.

    .venv/bin/python bench/logs_compression.py [--lines 1000000] [--merges]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from string import Template

from chdb import session
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from logs_corpus import RARE_TOKEN, lines, raw_line  # noqa: E402
from logs_schema_choice import write_corpus  # noqa: E402

SCHEMA = Path(__file__).resolve().parents[1] / "src" / "meshscope" / "storage" / "schema"
SOURCE = ("timestamp UInt64, trace_id String, severity_text String, severity_number UInt8, service_name String, "
          "labels Map(String, String), body String, attributes Map(String, String)")
LATEST = max(int(p.name[:3]) for p in SCHEMA.glob("0*.sql"))
# Each variant: the migrations applied (up to a version), then ALTERs (or a different ORDER BY).
VARIANTS: dict[str, tuple[int, list[str]]] = {
    "002 as created": (2, []),
    "up to 010 (text index)": (10, []),
    "shipped (012: token filters, trace once)": (LATEST, []),
    "+ tokenbf_v1(2048, 2)": (LATEST, ["DROP INDEX idx_tokens",
                                    "ADD INDEX idx_tokens body TYPE tokenbf_v1(2048, 2, 0) GRANULARITY 1"]),
    "+ tokenbf_v1(4096, 3)": (LATEST, ["DROP INDEX idx_tokens",
                                    "ADD INDEX idx_tokens body TYPE tokenbf_v1(4096, 3, 0) GRANULARITY 1"]),
    "+ body ZSTD(6)": (LATEST, ["MODIFY COLUMN body String CODEC(ZSTD(6))"]),
    "+ body ZSTD(19)": (LATEST, ["MODIFY COLUMN body String CODEC(ZSTD(19))"]),
    "+ 1 MiB blocks, body ZSTD(9)": (LATEST, ["MODIFY SETTING min_compress_block_size = 1048576",
                                             "MODIFY COLUMN body String CODEC(ZSTD(9))"]),
    "- small token filter (as 011)": (LATEST, ["DROP INDEX idx_tokens_coarse"]),
    "small token filter only": (LATEST, ["DROP INDEX idx_tokens"]),
    "no token filter": (LATEST, ["DROP INDEX idx_tokens", "DROP INDEX idx_tokens_coarse"]),
    "+ ORDER BY svc, severity, ts": (LATEST, ["ORDER BY (service_name, severity_number, timestamp)"]),
}


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def create_logs(s: session.Session, db: str, upto: int, order: str = "") -> None:
    """The logs table as migrations ``002``..``upto`` make it (other tables left out)."""
    for f in sorted(SCHEMA.glob("0*.sql")):
        if int(f.name[:3]) > upto or "logs" not in f.name:
            continue
        text = Template(f.read_text()).substitute(db=db, on_cluster="", engine_prefix="", engine_args="",
                                                  ttl_logs=10**9)
        if order:
            text = text.replace("ORDER BY (service_name, timestamp)", order)
        body = "\n".join(ln for ln in text.splitlines() if not ln.strip().startswith("--"))
        for statement in body.split(";\n"):
            if statement.strip():
                s.query(statement.strip().rstrip(";"))


def measure(s: session.Session, db: str, corpus: Path, trace: str, upto: int) -> dict[str, object]:
    s.query(f"ALTER TABLE {db}.logs MODIFY SETTING min_bytes_for_wide_part = 0")  # sizes per column even when small
    started = cpu_seconds()
    trace_column = "trace_id" if upto < 11 else "trace_in"
    s.query(f"INSERT INTO {db}.logs (timestamp, {trace_column}, severity_text, severity_number, service_name, labels, "
            f"body, attributes) SELECT fromUnixTimestamp64Nano(toInt64(timestamp)), * EXCEPT timestamp "
            f"FROM file('{corpus}', 'JSONEachRow', '{SOURCE}') SETTINGS max_insert_threads = 1")
    insert_cpu = cpu_seconds() - started
    s.query(f"OPTIMIZE TABLE {db}.logs FINAL")
    where = f"database = '{db}' AND table = 'logs'"
    total = int(s.query(f"SELECT sum(bytes_on_disk) FROM system.parts WHERE {where} AND active", "CSV").bytes())
    sizes = {r["name"]: int(r["b"]) for r in _rows(s, f"SELECT name, data_compressed_bytes AS b FROM system.columns "
                                                      f"WHERE {where}")}
    sizes |= {r["name"]: int(r["b"]) for r in _rows(s, "SELECT name, data_compressed_bytes AS b FROM "
                                                       f"system.data_skipping_indices WHERE {where}")}
    reads: dict[str, int] = {}
    token = f"hasAllTokens(body, ['{RARE_TOKEN}'])" if upto < 11 else f"hasToken(body, '{RARE_TOKEN}')"
    for name, cond in (("rare token", token), ("trace id", f"trace_id = '{trace}'"),
                       ("svc + level", "service_name = 'payments' AND severity_number >= 17")):
        res = s.query(f"SELECT count() FROM {db}.logs WHERE {cond} SETTINGS use_query_condition_cache = 0", "JSON")
        reads[name] = int(json.loads(res.bytes())["statistics"]["rows_read"])
    best = float("inf")
    for k in range(7):  # the lines of the rare token, as a search returns them (condition cache defeated)
        started = time.perf_counter()
        s.query(f"SELECT * FROM {db}.logs WHERE {token} AND timestamp > {k} SETTINGS use_query_condition_cache = 0")
        best = min(best, time.perf_counter() - started)
    return {"total": total, "sizes": sizes, "insert_cpu": insert_cpu, "reads": reads, "rare_ms": best * 1000}


def _rows(s: session.Session, sql: str) -> list[dict[str, object]]:
    return [json.loads(ln) for ln in s.query(sql, "JSONEachRow").bytes().decode().splitlines()]


# Columns shown: a name, or several summed (the trace id is one column before 011, three after).
SHOWN = {"body": ("body",), "token index": ("idx_body", "idx_tokens", "idx_tokens_coarse"),
         "trace id": ("trace_id", "trace_own", "trace_at", "trace_len"), "trace index": ("idx_trace_id",),
         "labels": ("labels",), "timestamp": ("timestamp",), "severity": ("severity_number", "severity_text")}


def variants_table(s: session.Session, corpus: Path, trace: str, raw: int, n: int) -> Table:
    table = Table(title=f"logs table options, {n:,} lines, {raw / 1e6:.0f} MB as a log file (MB on disk)")
    for c in ("variant", "table MB", "ratio", *SHOWN, "insert CPU s", "rows read: rare · trace · svc+level",
              "rare token ms"):
        table.add_column(c, justify="left" if c == "variant" else "right")
    for k, (label, (upto, alters)) in enumerate(VARIANTS.items()):
        db = f"v{k}"
        s.query(f"CREATE DATABASE {db}")
        order = next((a for a in alters if a.startswith("ORDER BY")), "")
        create_logs(s, db, upto, order)
        for alter in alters:
            if alter != order:
                s.query(f"ALTER TABLE {db}.logs {alter}")
        m = measure(s, db, corpus, trace, upto)
        sizes, reads = m["sizes"], m["reads"]
        assert isinstance(sizes, dict) and isinstance(reads, dict)
        table.add_row(label, f"{int(m['total']) / 1e6:.1f}", f"{raw / int(m['total']):.1f}×",
                      *(f"{sum(sizes.get(c, 0) for c in cols) / 1e6:.1f}" for cols in SHOWN.values()),
                      f"{m['insert_cpu']:.1f}", " · ".join(f"{v:,}" for v in reads.values()),
                      f"{m['rare_ms']:.1f}")
        s.query(f"DROP DATABASE {db}")
    return table


def thread_cpu() -> Counter[str]:
    """CPU seconds of this process by thread name (chDB's merges run in MergeMutate threads)."""
    out: Counter[str] = Counter()
    for task in Path("/proc/self/task").iterdir():
        try:
            name = (task / "comm").read_text().strip().rstrip("0123456789-_ ")
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        out[name] += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def merges_table(s: session.Session, corpus: Path, inserts: int) -> Table:
    table = Table(title=f"background merges after {inserts} request-sized inserts (CPU s)")
    for c in ("merge setting", "merges CPU s", "inserts CPU s", "parts left"):
        table.add_column(c, justify="left" if c == "merge setting" else "right")
    rows = corpus.read_bytes().splitlines(keepends=True)
    per = -(-len(rows) // inserts)
    slices = []
    for i in range(inserts):  # consecutive lines, as requests arrive
        slices.append(corpus.with_name(f"slice-{i}.json"))
        slices[-1].write_bytes(b"".join(rows[i * per:(i + 1) * per]))
    for k, setting in enumerate(("merge_selector_base = 5", "merge_selector_base = 20",
                                 "merge_selector_algorithm = 'Trivial'")):
        db = f"m{k}"
        s.query(f"CREATE DATABASE {db}")
        create_logs(s, db, LATEST)
        s.query(f"ALTER TABLE {db}.logs MODIFY SETTING {setting}")
        before = thread_cpu()
        for part in slices:
            s.query(f"INSERT INTO {db}.logs (timestamp, trace_in, severity_text, severity_number, service_name, "
                    f"labels, body, attributes) SELECT fromUnixTimestamp64Nano(toInt64(timestamp)), * EXCEPT "
                    f"timestamp FROM file('{part}', 'JSONEachRow', '{SOURCE}') SETTINGS max_insert_threads = 2")
        while int(s.query("SELECT count() FROM system.merges", "CSV").bytes()):
            time.sleep(1)
        used = thread_cpu() - before
        parts = s.query(f"SELECT count() FROM system.parts WHERE database = '{db}' AND active", "CSV").bytes()
        table.add_row(setting, f"{used['MergeMutate']:.1f}", f"{used['ThreadPool']:.1f}", parts.decode().strip())
        s.query(f"DROP DATABASE {db}")
    console = Console()
    console.print(f"{len(rows):,} lines in {inserts} inserts of ~{per:,}")
    return table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--merges", action="store_true", help="merge CPU by merge setting instead of the variants")
    ap.add_argument("--inserts", type=int, default=200)
    args = ap.parse_args()
    console = Console(width=250)
    tmp = Path(tempfile.mkdtemp(prefix="logs-compression-"))
    try:
        corpus = tmp / "corpus.json"
        trace = write_corpus(corpus, args.lines)
        raw = sum(len(raw_line(ln)) + 1 for ln in lines(args.lines, time.time_ns() - 6 * 3600 * 10**9, 6 * 3600))
        s = session.Session(str(tmp / "db"))
        try:
            table = (merges_table(s, corpus, args.inserts) if args.merges
                     else variants_table(s, corpus, trace, raw, args.lines))
        finally:
            s.close()
        console.print(table)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
