"""The write streams of the metrics doors (remote_write, scrape, metadata), for ``write_streams``."""

from __future__ import annotations

from meshscope.storage import metrics_sql
from meshscope.storage.insert_spec import InsertSpec

PROM_WRITE = "prom_write"
PROM_METADATA = "prom_metadata"


def metric_streams(db: str) -> dict[str, InsertSpec]:
    """Samples as ``WriteRequest`` protobuf bodies; metadata as JSON lines (small, rare)."""
    return {
        PROM_WRITE: InsertSpec("metric_ingest", metrics_sql.insert_remote_write(db),
                               metrics_sql.WRITE_REQUEST_STRUCTURE, settings=metrics_sql.format_settings()),
        PROM_METADATA: InsertSpec("metric_metadata", metrics_sql.insert_metadata(db),
                                  metrics_sql.METADATA_STRUCTURE, fmt="JSONEachRow"),
    }
