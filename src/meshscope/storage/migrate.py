"""Versioned schema migrations: numbered SQL files applied once, in order, recorded in a table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from string import Template

from meshscope.config import RetentionSettings
from meshscope.storage.executor import Executor
from meshscope.storage.sql import quote


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The migrations shipped with this version, in order."""
    found = []
    for entry in resources.files("meshscope.storage.schema").iterdir():
        m = re.fullmatch(r"(\d{3})_(\w+)\.sql", entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text()))
    return sorted(found, key=lambda mg: mg.version)


def render(sql: str, ex: Executor, retention: RetentionSettings) -> list[str]:
    """The statements of one migration file with database, cluster and retention filled in."""
    cluster = f"ON CLUSTER {ex.cluster}" if ex.cluster else ""
    replicated = bool(ex.cluster)
    text = Template(sql).substitute(
        db=ex.database, on_cluster=cluster,
        engine_prefix="Replicated" if replicated else "",
        engine_args="('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')" if replicated else "",
        ttl_traces=int(retention.traces), ttl_logs=int(retention.logs), ttl_metrics=int(retention.metrics),
    )
    return [s.strip() for s in _split_statements(text) if s.strip()]


def _split_statements(text: str) -> list[str]:
    lines = [ln for ln in text.splitlines() if not ln.strip().startswith("--")]
    return "\n".join(lines).split(";\n")


def apply(ex: Executor, retention: RetentionSettings) -> list[int]:
    """Bring the schema up to date; return the versions applied now. Safe to run on every start."""
    ex.command(f"CREATE DATABASE IF NOT EXISTS {ex.database}")
    ex.command(
        f"CREATE TABLE IF NOT EXISTS {ex.database}.schema_migrations "
        "(version UInt32, name String, applied_at DateTime DEFAULT now()) "
        "ENGINE = ReplacingMergeTree ORDER BY version"
    )
    done = {int(r["version"]) for r in ex.rows(f"SELECT version FROM {ex.database}.schema_migrations")}
    applied = []
    for mg in migrations():
        if mg.version in done:
            continue
        for statement in render(mg.sql, ex, retention):
            ex.command(statement.rstrip(";"))
        ex.command(f"INSERT INTO {ex.database}.schema_migrations (version, name) "
                   f"VALUES ({mg.version}, {quote(mg.name)})")
        applied.append(mg.version)
    apply_retention(ex, retention)
    return applied


def apply_retention(ex: Executor, retention: RetentionSettings) -> None:
    """Retention is a setting, so a changed value must reach tables created long ago."""
    for table, seconds, col in (("spans", retention.traces, "timestamp"),
                                ("trace_index", retention.traces, "start"),
                                ("logs", retention.logs, "timestamp"),
                                ("otel_metrics", retention.metrics, "timestamp"),
                                ("metric_samples", retention.metrics, "intDiv(timestamp, 1000)"),
                                ("exemplars", retention.metrics, "intDiv(timestamp, 1000)"),
                                ("metric_series", retention.metrics, "day"),
                                ("metric_metadata", retention.metrics, "updated")):
        ex.command(f"ALTER TABLE {ex.database}.{table} MODIFY TTL toDateTime({col}) + "
                   f"toIntervalSecond({int(seconds)})", {"materialize_ttl_after_modify": 0})
