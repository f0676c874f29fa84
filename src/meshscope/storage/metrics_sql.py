"""The input structures of the metrics doors: Prometheus ``WriteRequest`` bodies and metadata rows.

ClickHouse parses the concatenated protobuf bodies (``decode/prometheus/schema/remote.proto``);
:mod:`meshscope.storage.series_ingest` turns them into samples, series and exemplars. A series'
fingerprint is ``cityHash64`` of its label names and values sorted by name (incl. ``__name__``),
computed in SQL on every door (schema 004 and 005), so a series has one identity whatever door
it came through.
"""

from __future__ import annotations

from importlib import resources

_LABEL = "Tuple(name String, value String)"
WRITE_REQUEST_STRUCTURE = (
    f"timeseries Array(Tuple(labels Array({_LABEL}), samples Array(Tuple(value Float64, timestamp Int64)), "
    f"exemplars Array(Tuple(labels Array({_LABEL}), value Float64, timestamp Int64))))")
METADATA_STRUCTURE = "metric_name String, type String, help String, unit String"


def insert_metadata(db: str) -> str:
    return f"INSERT INTO {db}.metric_metadata (metric_name, type, help, unit) SELECT * FROM {{source}}"


def schema_text() -> str:
    return resources.files("meshscope.decode.prometheus.schema").joinpath("remote.proto").read_text()


def format_settings() -> dict[str, str | int]:
    return {"format_schema_source": "string", "format_schema": schema_text(),
            "format_schema_message_name": "WriteRequest"}
