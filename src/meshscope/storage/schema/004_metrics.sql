-- Prometheus-style time series: series (labels) kept apart from samples (fingerprint, ts, value).
-- Every door (remote_write, scrape, OTLP) inserts rows into the Null table metric_ingest; the
-- materialized views below fan each block out to samples, series, exemplars. The fingerprint is
-- cityHash64 of the label pairs sorted by name (incl. __name__), computed in SQL on every path.

CREATE TABLE IF NOT EXISTS ${db}.metric_ingest ${on_cluster}
(
    metric_name String,
    fingerprint UInt64,
    labels Map(String, String),
    kind Enum8('sample' = 0, 'exemplar' = 1),
    timestamp Int64,
    value Float64,
    exemplar_labels Map(String, String),
    trace_id String,
    span_id String
)
ENGINE = Null;

-- Duplicates (same series and ms) collapse to the last written row; reads use FINAL so a query
-- sees exactly what a merge would keep, before and after merges. Out-of-order samples are
-- accepted and simply sorted by the key.
CREATE TABLE IF NOT EXISTS ${db}.metric_samples ${on_cluster}
(
    metric_name LowCardinality(String) CODEC(ZSTD(1)),
    fingerprint UInt64 CODEC(Delta(8), ZSTD(1)),
    timestamp Int64 CODEC(DoubleDelta, ZSTD(1)),
    value Float64 CODEC(Gorilla, ZSTD(1))
)
ENGINE = ${engine_prefix}ReplacingMergeTree${engine_args}
PARTITION BY toDate(intDiv(timestamp, 1000))
ORDER BY (metric_name, fingerprint, timestamp)
TTL toDateTime(intDiv(timestamp, 1000)) + toIntervalSecond(${ttl_metrics})
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

-- One row per series and day it had samples (a ReplacingMergeTree collapses the repeats every
-- insert writes), so label and series lookups can be bounded by time.
CREATE TABLE IF NOT EXISTS ${db}.metric_series ${on_cluster}
(
    metric_name LowCardinality(String),
    fingerprint UInt64,
    day Date,
    labels Map(LowCardinality(String), String) CODEC(ZSTD(1))
)
ENGINE = ${engine_prefix}ReplacingMergeTree${engine_args}
PARTITION BY toYYYYMM(day)
ORDER BY (metric_name, fingerprint, day)
TTL day + toIntervalSecond(${ttl_metrics})
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS ${db}.metric_metadata ${on_cluster}
(
    metric_name String,
    type LowCardinality(String),
    help String,
    unit LowCardinality(String),
    updated DateTime DEFAULT now()
)
ENGINE = ${engine_prefix}ReplacingMergeTree${engine_args}
ORDER BY (metric_name, type, help, unit)
TTL updated + toIntervalSecond(${ttl_metrics});

CREATE TABLE IF NOT EXISTS ${db}.exemplars ${on_cluster}
(
    metric_name LowCardinality(String),
    fingerprint UInt64,
    timestamp Int64 CODEC(Delta(8), ZSTD(1)),
    value Float64,
    labels Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    trace_id String CODEC(ZSTD(1)),
    span_id String CODEC(ZSTD(1))
)
ENGINE = ${engine_prefix}ReplacingMergeTree${engine_args}
PARTITION BY toDate(intDiv(timestamp, 1000))
ORDER BY (metric_name, fingerprint, timestamp)
TTL toDateTime(intDiv(timestamp, 1000)) + toIntervalSecond(${ttl_metrics})
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.metric_samples_mv ${on_cluster} TO ${db}.metric_samples AS
SELECT metric_name, fingerprint, timestamp, value FROM ${db}.metric_ingest WHERE kind = 'sample';

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.metric_series_mv ${on_cluster} TO ${db}.metric_series AS
SELECT metric_name, fingerprint, toDate(intDiv(timestamp, 1000)) AS day, any(labels) AS labels
FROM ${db}.metric_ingest WHERE kind = 'sample'
GROUP BY metric_name, fingerprint, day;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.exemplars_mv ${on_cluster} TO ${db}.exemplars AS
SELECT metric_name, fingerprint, timestamp, value, exemplar_labels AS labels, trace_id, span_id
FROM ${db}.metric_ingest WHERE kind = 'exemplar';
