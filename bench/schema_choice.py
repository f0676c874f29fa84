"""Why spans are ordered by (service_name, name, timestamp): rows read and time per query shape.

Loads the same synthetic spans into tables that differ only in ORDER BY / index granularity and
runs the queries the UI and the Jaeger API issue. Rows read are deterministic (the machine's
noise does not change them); times are the best of three.

    .venv/bin/python bench/schema_choice.py [--spans 2000000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from chdb import session
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from otlp_ingest import make_request  # noqa: E402

from meshscope.config import RetentionSettings  # noqa: E402
from meshscope.storage import migrate  # noqa: E402
from meshscope.storage.executor import open_executor  # noqa: E402
from meshscope.storage.insert_spec import otlp_specs  # noqa: E402
from meshscope.storage.writer import _varint  # noqa: E402

VARIANTS = {
    "A svc,name,ts g8192": ("(service_name, name, timestamp)", 8192),
    "B svc,ts": ("(service_name, timestamp)", 8192),
    "C ts": ("(timestamp)", 8192),
    "A, granule 1024 (chosen)": ("(service_name, name, timestamp)", 1024),
}


def queries(trace_id: str, path: str) -> dict[str, str]:
    recent = "timestamp >= now64(9) - INTERVAL 15 MINUTE"
    return {
        "service + operation, 15 min": f"SELECT trace_id FROM T WHERE service_name = 'orders' AND name = 'POST /pay' "
                                       f"AND {recent} ORDER BY timestamp DESC LIMIT 20",
        "service errors, 15 min": f"SELECT trace_id FROM T WHERE service_name = 'payments' AND status_code = 'error' "
                                  f"AND {recent} ORDER BY timestamp DESC LIMIT 20",
        "operations of a service": "SELECT DISTINCT name FROM T WHERE service_name = 'search'",
        "trace by id (bloom filter)": f"SELECT span_id FROM T WHERE trace_id = '{trace_id}'",
        "attribute search, all services": f"SELECT trace_id FROM T WHERE attributes['url.path'] = '{path}' "
                                          f"AND {recent} LIMIT 20",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--spans", type=int, default=2_000_000)
    args = ap.parse_args()
    console = Console(width=150)
    root = Path(tempfile.mkdtemp(prefix="meshscope-schema-"))
    try:
        ex = open_executor("", root / "chdb", "meshscope")
        migrate.apply(ex, RetentionSettings())
        spec = otlp_specs("meshscope")["traces"]
        batch = root / "batch-0.pb"
        for i in range(args.spans // 100_000):
            batch.write_bytes(b"".join(_varint(len(b)) + b for b in (make_request(10_000, i * 10 + j)
                                                                     for j in range(10))))
            ex.insert_from_file(spec.sql, root / "batch-*.pb", "Protobuf", spec.structure, dict(spec.settings))
        ex.command("OPTIMIZE TABLE meshscope.spans FINAL")
        probe = ex.rows("SELECT trace_id, attributes['url.path'] AS p FROM meshscope.spans LIMIT 1 OFFSET 777")[0]
        ddl = ex.rows("SHOW CREATE TABLE meshscope.spans")[0]["statement"]
        ex.close()
        s = session.Session(str(root / "chdb"))
        for n, (order, gran) in enumerate(VARIANTS.values()):
            create = (ddl.replace("meshscope.spans", f"meshscope.v{n}")
                      .replace("ORDER BY (service_name, name, timestamp)", f"ORDER BY {order}")
                      .replace("index_granularity = 1024", f"index_granularity = {gran}"))
            s.query(create)
            s.query(f"INSERT INTO meshscope.v{n} SELECT * FROM meshscope.spans")
            s.query(f"OPTIMIZE TABLE meshscope.v{n} FINAL")
        table = Table(title=f"spans table layouts over {args.spans:,} spans (rows read · best time of 3)",
                      )
        table.add_column("query")
        for name in VARIANTS:
            table.add_column(name, justify="right")
        for qname, sql in queries(probe["trace_id"], probe["p"]).items():
            cells = []
            for n in range(len(VARIANTS)):
                q = sql.replace("FROM T", f"FROM meshscope.v{n}")
                best, rows = 1e9, 0
                for _ in range(3):
                    t = time.perf_counter()
                    res = s.query(q, "CSV")
                    best = min(best, time.perf_counter() - t)
                    rows = res.storage_rows_read()
                cells.append(f"{rows:,} · {best * 1000:.0f} ms")
            table.add_row(qname, *cells)
        sizes = []
        for n in range(len(VARIANTS)):
            b = s.query(f"SELECT sum(bytes_on_disk) FROM system.parts WHERE database = 'meshscope' AND table = 'v{n}' "
                        "AND active", "CSV").bytes().decode().strip()
            sizes.append(f"{int(b) / args.spans:.1f} B/span")
        table.add_row("bytes on disk", *sizes)
        console.print(table)
        s.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
