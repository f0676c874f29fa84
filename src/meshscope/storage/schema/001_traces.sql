-- Spans as OTLP sends them, one row per span. Search filters service, operation and time first,
-- so those lead the sorting key; attribute maps are searched through skip indexes.
-- bench/schema_choice.py measured the choice: (service_name, name, timestamp) is the smallest on
-- disk and prunes service+operation searches; granules of 1024 rows read 8x fewer rows for a
-- trace-id lookup than 8192 at the same size on disk.
CREATE TABLE IF NOT EXISTS ${db}.spans ${on_cluster}
(
    timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    duration_ns UInt64 CODEC(T64, ZSTD(1)),
    trace_id String CODEC(ZSTD(1)),
    span_id String CODEC(ZSTD(1)),
    parent_span_id String CODEC(ZSTD(1)),
    trace_state String CODEC(ZSTD(1)),
    flags UInt32 CODEC(ZSTD(1)),
    service_name LowCardinality(String),
    name LowCardinality(String),
    kind LowCardinality(String),
    status_code LowCardinality(String),
    status_message String CODEC(ZSTD(1)),
    scope_name LowCardinality(String),
    scope_version LowCardinality(String),
    resource_attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    attributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    events Nested(
        timestamp DateTime64(9),
        name LowCardinality(String),
        attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    links Nested(
        trace_id String,
        span_id String,
        trace_state String,
        attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    dropped_attributes_count UInt32 CODEC(ZSTD(1)),
    dropped_events_count UInt32 CODEC(ZSTD(1)),
    dropped_links_count UInt32 CODEC(ZSTD(1)),
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_duration duration_ns TYPE minmax GRANULARITY 1,
    INDEX idx_attr_keys mapKeys(attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_attr_items arrayMap((k, v) -> concat(k, '=', v), mapKeys(attributes), mapValues(attributes)) TYPE bloom_filter(0.01) GRANULARITY 1
)
ENGINE = ${engine_prefix}MergeTree${engine_args}
PARTITION BY toDate(timestamp)
ORDER BY (service_name, name, timestamp)
TTL toDateTime(timestamp) + toIntervalSecond(${ttl_traces})
SETTINGS index_granularity = 1024, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

-- trace id -> time range, size, root and error flag: the lookup behind "open trace by id"
-- and the summaries of a search result list.
CREATE TABLE IF NOT EXISTS ${db}.trace_index ${on_cluster}
(
    trace_id String,
    start SimpleAggregateFunction(min, DateTime64(9)),
    end SimpleAggregateFunction(max, DateTime64(9)),
    span_count SimpleAggregateFunction(sum, UInt64),
    error_count SimpleAggregateFunction(sum, UInt64),
    root_service SimpleAggregateFunction(max, String),
    root_name SimpleAggregateFunction(max, String),
    root_duration_ns SimpleAggregateFunction(max, UInt64),
    services SimpleAggregateFunction(groupUniqArrayArray, Array(String))
)
ENGINE = ${engine_prefix}AggregatingMergeTree${engine_args}
PARTITION BY toDate(start)
ORDER BY trace_id
TTL toDateTime(start) + toIntervalSecond(${ttl_traces})
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.trace_index_mv ${on_cluster} TO ${db}.trace_index AS
SELECT
    trace_id,
    min(timestamp) AS start,
    max(timestamp + toIntervalNanosecond(duration_ns)) AS end,
    count() AS span_count,
    countIf(status_code = 'error') AS error_count,
    anyIf(toString(service_name), parent_span_id = '') AS root_service,
    anyIf(toString(name), parent_span_id = '') AS root_name,
    maxIf(duration_ns, parent_span_id = '') AS root_duration_ns,
    groupUniqArray(toString(service_name)) AS services
FROM ${db}.spans
GROUP BY trace_id;
