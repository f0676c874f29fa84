-- OTLP metric points stored as sent (every point type in one table, fields unused by a type
-- left empty), so nothing is lost before the Prometheus translation reads them.
CREATE TABLE IF NOT EXISTS ${db}.otel_metrics ${on_cluster}
(
    timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    start_timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    metric_name LowCardinality(String),
    metric_type LowCardinality(String),
    unit LowCardinality(String),
    description String CODEC(ZSTD(1)),
    temporality LowCardinality(String),
    is_monotonic Bool,
    service_name LowCardinality(String),
    resource_attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    scope_name LowCardinality(String),
    scope_version LowCardinality(String),
    attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    flags UInt32,
    value Float64 CODEC(Gorilla, ZSTD(1)),
    count UInt64 CODEC(T64, ZSTD(1)),
    sum Float64 CODEC(Gorilla, ZSTD(1)),
    min Float64,
    max Float64,
    bucket_counts Array(UInt64) CODEC(ZSTD(1)),
    explicit_bounds Array(Float64) CODEC(ZSTD(1)),
    exp_scale Int32,
    exp_zero_count UInt64,
    exp_positive_offset Int32,
    exp_positive_bucket_counts Array(UInt64) CODEC(ZSTD(1)),
    exp_negative_offset Int32,
    exp_negative_bucket_counts Array(UInt64) CODEC(ZSTD(1)),
    quantiles Array(Float64) CODEC(ZSTD(1)),
    quantile_values Array(Float64) CODEC(ZSTD(1)),
    exemplars Nested(
        timestamp DateTime64(9),
        value Float64,
        trace_id String,
        span_id String,
        filtered_attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1))
)
ENGINE = ${engine_prefix}MergeTree${engine_args}
PARTITION BY toDate(timestamp)
ORDER BY (service_name, metric_name, timestamp)
TTL toDateTime(timestamp) + toIntervalSecond(${ttl_metrics})
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;
