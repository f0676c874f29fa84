-- Log records in one model whatever door they came through (OTLP, Loki, ES bulk, syslog...).
-- `labels` are the stream labels (few values: service_name, host, job, level...) that LogQL
-- selectors match; `attributes` hold per-line fields (structured metadata, parsed fields).
-- The body has a text index (ClickHouse >= 26.2) so rare-token searches read few granules.
-- ORDER BY (service_name, timestamp) with 1024-row granules, measured by bench/logs_schema_choice.py
-- (1M realistic lines): against (timestamp) it reads 11x fewer rows for a service + level filter and
-- 6x fewer for a service's last 10 minutes; against 8192-row granules 8x fewer rows for a trace id
-- and half for the last 10 minutes, for 2% more disk. Column meanings: src/meshscope/model/logs.py.
CREATE TABLE IF NOT EXISTS ${db}.logs ${on_cluster}
(
    timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    observed_timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    trace_id String CODEC(ZSTD(1)),
    span_id String CODEC(ZSTD(1)),
    trace_flags UInt8,
    severity_text LowCardinality(String),
    severity_number UInt8,
    service_name LowCardinality(String),
    labels Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    body String CODEC(ZSTD(1)),
    scope_name LowCardinality(String),
    resource_attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    INDEX idx_body body TYPE text(tokenizer = splitByNonAlpha, preprocessor = lower(body),
                                  posting_list_codec = 'bitpacking'),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_attr_items arrayMap((k, v) -> concat(k, '=', v), mapKeys(attributes), mapValues(attributes)) TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ${engine_prefix}MergeTree${engine_args}
PARTITION BY toDate(timestamp)
ORDER BY (service_name, timestamp)
TTL toDateTime(timestamp) + toIntervalSecond(${ttl_logs})
SETTINGS index_granularity = 1024, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;
