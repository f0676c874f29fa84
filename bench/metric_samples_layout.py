"""metric_samples layouts: what a 1 h dashboard query over a full day of data reads, per sort key.

A day of samples (``--series`` series at 15 s, counters, histogram buckets and gauges labelled as in
bench/metrics_ingest_query.py) is loaded in hour-sized inserts into each candidate table in one chDB
session, merged (OPTIMIZE FINAL), then read with the reader's own SQL (metrics/source.py): a whole
metric and a label-selected subset, for the last hour of the day (+5 min lookback) and for 24 h.
Rows read are the storage rows ClickHouse reads (granules x rows); CPU is process CPU seconds
(chDB runs in this process), median of ``--runs``, including the Arrow decode and, for layouts
that read in key order, the numpy sort into (series, time) order.

    .venv/bin/python bench/metric_samples_layout.py [--series 5000] [--runs 5] [--only '2 h bucket' ...]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from metrics_ingest_query import series_set  # noqa: E402

from meshscope.config import RetentionSettings  # noqa: E402
from meshscope.metrics import source  # noqa: E402
from meshscope.promql.matchers import LabelMatcher  # noqa: E402
from meshscope.storage import migrate  # noqa: E402
from meshscope.storage.chdb_embedded import ChdbExecutor  # noqa: E402
from meshscope.storage.sql import quote  # noqa: E402

console = Console(width=150)
DB = "bench"
STEP_MS = 15_000
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
COLUMNS = """(
    metric_name LowCardinality(String) CODEC(ZSTD(1)),
    fingerprint UInt64 CODEC(Delta(8), ZSTD(1)),
    timestamp Int64 CODEC(Delta(8), ZSTD(1)),
    value Float64 CODEC(ZSTD(1))
)"""
SERIES_KEY = "metric_name, fingerprint, timestamp"
READER_BUCKET_MS = source.TIME_BUCKET_MS
BUCKET_2H = "metric_name, intDiv(timestamp, 7200000), fingerprint, timestamp"


@dataclass(frozen=True)
class Layout:
    name: str
    order_by: str
    granule: int = 8192
    partition: str = "toDate(intDiv(timestamp, 1000))"
    bucket_ms: int = 0  # the key's time bucket: ClickHouse does not carry a timestamp range through intDiv

    @property
    def read_order(self) -> str:
        """The ORDER BY a reader can ask for without a sort: the table's key."""
        return self.order_by


LAYOUTS = [
    Layout("current (metric, series, ts)", SERIES_KEY),
    Layout("current, granule 1024", SERIES_KEY, granule=1024),
    Layout("1 h bucket", "metric_name, intDiv(timestamp, 3600000), fingerprint, timestamp", bucket_ms=3_600_000),
    Layout("2 h bucket", BUCKET_2H, bucket_ms=7_200_000),
    Layout("2 h bucket, granule 2048", BUCKET_2H, granule=2048, bucket_ms=7_200_000),
    Layout("2 h bucket, granule 1024", BUCKET_2H, granule=1024, bucket_ms=7_200_000),
    Layout("current key, 2 h partitions", SERIES_KEY, partition="intDiv(timestamp, 7200000)"),
]


def load_source(ex: ChdbExecutor, n_series: int, day_ms: int) -> int:
    """The day's samples in a scratch table, and the series in metric_series (for label matchers)."""
    rows = []
    for labels, kind in series_set(n_series):
        names = [k for k, _ in labels]
        vals = [v for _, v in labels]
        le_rank = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"].index(
            dict(labels)["le"]) + 1 if kind == "bucket" else 4
        rows.append(f"([{', '.join(map(quote, names))}], [{', '.join(map(quote, vals))}], '{kind}', {le_rank})")
    ex.command(f"CREATE TABLE {DB}.series_gen (names Array(String), vals Array(String), kind String, k UInt32) "
               "ENGINE = Memory")
    ex.command(f"INSERT INTO {DB}.series_gen VALUES {','.join(rows)}")
    ex.command(f"INSERT INTO {DB}.metric_series SELECT vals[indexOf(names, '__name__')], cityHash64(names, vals), "
               f"toDate(intDiv({day_ms}, 1000)), mapFromArrays(arrayFilter(n -> n != '__name__', names), "
               f"arrayFilter((v, n) -> n != '__name__', vals, names)) FROM {DB}.series_gen")
    # Scrape timestamps: a fixed offset per target plus a few ms of jitter. Counters rise by a
    # per-series rate (buckets by their rank), gauges are page-sized memory that moves every 5 min.
    ex.command(f"CREATE TABLE {DB}.samples_src {COLUMNS} ENGINE = MergeTree ORDER BY timestamp")
    ex.command(f"""INSERT INTO {DB}.samples_src
        SELECT vals[indexOf(names, '__name__')] AS metric_name, cityHash64(names, vals) AS fingerprint,
            {day_ms} + number * {STEP_MS} + fingerprint % 9000 + cityHash64(fingerprint, number) % 4 AS timestamp,
            multiIf(kind = 'gauge', 1e8 + (cityHash64(fingerprint, intDiv(number, 20)) % 100000) * 4096,
                    toFloat64(number * (k * 3 + fingerprint % 7) + cityHash64(fingerprint, number) % (k * 3))) AS value
        FROM {DB}.series_gen CROSS JOIN numbers({DAY_MS // STEP_MS}) AS steps""")
    return int(ex.rows(f"SELECT count() AS n FROM {DB}.samples_src")[0]["n"])


def cpu_of(fn: object) -> float:
    start = time.process_time()
    fn()  # type: ignore[operator]
    return time.process_time() - start


def build(ex: ChdbExecutor, layout: Layout, table: str, day_ms: int) -> tuple[float, float, float]:
    """Insert the day hour by hour, then merge; (insert CPU, merge CPU, bytes on disk)."""
    ex.command(f"CREATE TABLE {DB}.{table} {COLUMNS} ENGINE = ReplacingMergeTree "
               f"PARTITION BY {layout.partition} ORDER BY ({layout.order_by}) "
               f"SETTINGS index_granularity = {layout.granule}")
    insert = 0.0
    for h in range(24):
        lo = day_ms + h * HOUR_MS
        insert += cpu_of(lambda lo=lo: ex.command(
            f"INSERT INTO {DB}.{table} SELECT * FROM {DB}.samples_src "
            f"WHERE timestamp >= {lo} AND timestamp < {lo + HOUR_MS}"))
    merge = cpu_of(lambda: ex.command(f"OPTIMIZE TABLE {DB}.{table} FINAL"))
    size = ex.rows(f"SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE database = '{DB}' "
                   f"AND table = '{table}' AND active")[0]["b"]
    return insert, merge, float(size)


def read(ex: ChdbExecutor, sql: str, key_order: bool) -> tuple[int, int]:
    """Run one reader query as the reader does; (rows returned, storage rows read)."""
    result = ex._session.query(sql + " SETTINGS do_not_merge_across_partitions_select_final = 1", "ArrowStream")
    table = pa.ipc.open_stream(result.bytes()).read_all()
    fps = table.column("fingerprint").to_numpy()
    ts = table.column("timestamp").to_numpy()
    values = table.column("value").to_numpy()
    if key_order:  # time-bucket-major rows → series-major, time order kept within a series
        order = np.argsort(fps, kind="stable")
        fps, ts, values = fps[order], ts[order], values[order]
    return table.num_rows, int(result.storage_rows_read())


def reader_sql(table: str, matchers: list[LabelMatcher], start: int, end: int, order: str, bucket_ms: int) -> str:
    """The reader's SQL on ``table``; its time-bucket condition names this layout's buckets (harmless where
    the key has none)."""
    source.TIME_BUCKET_MS = bucket_ms or READER_BUCKET_MS
    sql = source.samples_query(DB, matchers, start, end, final=False)
    sql = sql.replace(f"{DB}.metric_samples ", f"{DB}.{table} ")
    return sql.replace("ORDER BY fingerprint, timestamp", f"ORDER BY {order}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", nargs="*", default=[], help="layout names to run (the current key always runs)")
    args = ap.parse_args()
    layouts = [lay for i, lay in enumerate(LAYOUTS) if i == 0 or not args.only or lay.name in args.only]
    day_ms = (int(time.time() * 1000) // DAY_MS - 2) * DAY_MS
    end = day_ms + DAY_MS - 1
    queries = {
        "bucket metric 1h": ([LabelMatcher("__name__", "=", "http_request_duration_seconds_bucket")],
                             end - HOUR_MS - 300_000, end),
        "requests{job} 1h": ([LabelMatcher("__name__", "=", "http_requests_total"), LabelMatcher("job", "=", "api")],
                             end - HOUR_MS - 300_000, end),
        "bucket metric 24h": ([LabelMatcher("__name__", "=", "http_request_duration_seconds_bucket")], day_ms, end),
        "requests{job} 24h": ([LabelMatcher("__name__", "=", "http_requests_total"), LabelMatcher("job", "=", "api")],
                              day_ms, end),
    }
    tmp = Path(tempfile.mkdtemp(prefix="layout-bench-"))
    ex = ChdbExecutor(tmp / "data", DB)
    try:
        migrate.apply(ex, RetentionSettings())
        total = load_source(ex, args.series, day_ms)
        console.print(f"{args.series} series, {total:,} samples over 24 h (15 s)")
        results = []
        for i, layout in enumerate(layouts):
            table = f"samples_{i}"
            insert, merge, size = build(ex, layout, table, day_ms)
            reads = {}
            for qname, (ms, lo, hi) in queries.items():
                variants = [("ch sort", "fingerprint, timestamp", False)]
                if layout.read_order != SERIES_KEY:
                    variants.append(("key order + numpy", layout.read_order, True))
                for vname, order, key_order in variants:
                    sql = reader_sql(table, ms, lo, hi, order, layout.bucket_ms)
                    rows, read_rows = read(ex, sql, key_order)
                    cpus = [cpu_of(lambda sql=sql, k=key_order: read(ex, sql, k)) for _ in range(args.runs)]
                    reads[(qname, vname)] = (rows, read_rows, statistics.median(cpus))
            results.append((layout, insert, merge, size, reads))
            console.print(f"done {layout.name}")
        report(results, total, list(queries))
    finally:
        ex.close()
        shutil.rmtree(tmp, ignore_errors=True)


def report(results: list, total: int, qnames: list[str]) -> None:  # type: ignore[type-arg]
    ref_layout, ref_insert, ref_merge, ref_size, ref_reads = results[0]
    t = Table(title="metric_samples layouts: storage and ingest (ratios against the current key)")
    for col in ("layout", "B/sample", "ratio", "insert CPU s", "ratio", "merge CPU s", "ratio"):
        t.add_column(col, justify="left" if col == "layout" else "right")
    for layout, insert, merge, size, _ in results:
        t.add_row(layout.name, f"{size / total:.3f}", f"{size / ref_size:.2f}", f"{insert:.2f}",
                  f"{insert / ref_insert:.2f}", f"{merge:.2f}", f"{merge / ref_merge:.2f}")
    console.print(t)
    q = Table(title="reader queries: rows read from storage and CPU (ratios against the current key)")
    for col in ("query", "layout", "order", "rows out", "rows read", "read ratio", "CPU ms", "CPU ratio"):
        q.add_column(col, justify="left" if col in ("query", "layout", "order") else "right")
    for qname in qnames:
        _, ref_read, ref_cpu = ref_reads[(qname, "ch sort")]
        for layout, _, _, _, reads in results:
            for (name, vname), (rows, read_rows, cpu) in reads.items():
                if name == qname:
                    q.add_row(qname, layout.name, vname, f"{rows:,}", f"{read_rows:,}", f"{read_rows / ref_read:.3f}",
                              f"{cpu * 1000:.0f}", f"{cpu / ref_cpu:.2f}")
        q.add_section()
    console.print(q)


if __name__ == "__main__":
    main()
