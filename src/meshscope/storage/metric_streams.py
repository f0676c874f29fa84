"""The write streams of the metrics doors (remote_write, scrape, metadata), for ``write_streams``."""

from __future__ import annotations

from meshscope.storage import metrics_sql
from meshscope.storage.insert_spec import InsertSpec
from meshscope.storage.series_ingest import SeriesIngest

PROM_WRITE = "prom_write"
PROM_METADATA = "prom_metadata"


def metric_streams(db: str) -> dict[str, InsertSpec]:
    """Samples as ``WriteRequest`` protobuf bodies, inserted in steps; metadata as JSON lines (small, rare)."""
    series = SeriesIngest(db, metrics_sql.WRITE_REQUEST_STRUCTURE)
    return {
        PROM_WRITE: InsertSpec("metric_ingest", series.step_one_sql(), metrics_sql.WRITE_REQUEST_STRUCTURE,
                               settings=metrics_sql.format_settings(), procedure=series, senders_wait=True),
        PROM_METADATA: InsertSpec("metric_metadata", metrics_sql.insert_metadata(db),
                                  metrics_sql.METADATA_STRUCTURE, fmt="JSONEachRow"),
    }
