"""What a table writer needs to know to insert a batch of queued request bodies."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from meshscope.storage import log_rows, otlp_sql
from meshscope.storage.delta_convert import DeltaToCumulative
from meshscope.storage.executor import Executor, Settings

# Inserts the spooled files at a path (glob) in a format with settings; returns the exact rows
# stored, or None when the requests' own counts are exact.
InsertProcedure = Callable[[Executor, Path, str, Settings], int | None]


@dataclass(frozen=True)
class InsertSpec:
    """An ``INSERT ... SELECT ... FROM {source}`` over length-delimited messages of one type."""

    table: str
    sql: str
    structure: str
    fmt: str = "Protobuf"
    settings: Mapping[str, str | int] = field(default_factory=dict)
    procedure: InsertProcedure | None = None  # runs instead of ``sql`` when the insert takes steps
    # Its senders wait for each answer before sending again (remote_write shards): once the queue is
    # quiet they all wait on this writer, so it inserts then rather than after ``flush_interval``.
    senders_wait: bool = False

    @property
    def length_delimited(self) -> bool:
        """Protobuf bodies need a length prefix to be concatenated; text formats (JSONEachRow) do not."""
        return self.fmt == "Protobuf"


def write_streams(db: str) -> dict[str, InsertSpec]:
    """Every stream the server writes, by name; each gets its own writer thread.

    A new door adds its spec here (one line) and submits bodies to that stream name."""
    streams = {f"otlp_{signal}": spec for signal, spec in otlp_specs(db).items()}
    from meshscope.storage.metric_streams import metric_streams  # noqa: PLC0415 - it imports InsertSpec
    streams.update(metric_streams(db))
    streams["logs"] = InsertSpec("logs", log_rows.insert_sql(db), log_rows.STRUCTURE, "JSONEachRow",
                                 log_rows.SETTINGS)  # Loki, Elasticsearch, syslog, JSON lines
    return streams


def otlp_specs(db: str) -> dict[str, InsertSpec]:
    """The three OTLP doors, keyed by signal name."""
    return {
        "traces": InsertSpec("spans", otlp_sql.insert_spans(db), otlp_sql.TRACES_STRUCTURE,
                             settings=otlp_sql.format_settings("ExportTraceServiceRequest")),
        "logs": InsertSpec("logs", otlp_sql.insert_logs(db), otlp_sql.LOGS_STRUCTURE,
                           settings=otlp_sql.format_settings("ExportLogsServiceRequest")),
        "metrics": InsertSpec("otel_metrics", otlp_sql.insert_metrics(db), otlp_sql.METRICS_STRUCTURE,
                              settings=otlp_sql.format_settings("ExportMetricsServiceRequest"),
                              procedure=DeltaToCumulative(db, otlp_sql.insert_metrics(db), otlp_sql.METRICS_STRUCTURE)),
    }
