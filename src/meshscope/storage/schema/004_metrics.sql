-- Prometheus-style time series: series (labels) kept apart from samples (fingerprint, ts, value).
-- Every door (remote_write, scrape, OTLP) inserts rows into the Null table metric_ingest; the
-- materialized views below fan each block out to samples, series, exemplars. The fingerprint is
-- cityHash64 of the label pairs sorted by name (incl. __name__), computed in SQL on every path.

CREATE TABLE IF NOT EXISTS ${db}.metric_ingest ${on_cluster}
(
    metric_name String,
    fingerprint UInt64,
    names Array(String),  -- label names sorted, incl. __name__ (empty values dropped)
    vals Array(String),
    kind Enum8('sample' = 0, 'exemplar' = 1),
    timestamp Int64,
    value Float64,
    exemplar_labels Map(String, String),
    trace_id String,
    span_id String
)
ENGINE = Null;

-- Codecs measured on 2.4M realistic samples after OPTIMIZE FINAL (bench/metrics_ingest_query.py):
-- Delta+ZSTD / ZSTD 1.42 bytes per sample, DoubleDelta+ZSTD / Gorilla+ZSTD 1.73, DoubleDelta / Gorilla 2.30.
-- Duplicates (same series and ms) collapse to the last written row; reads use FINAL so a query
-- sees exactly what a merge would keep, before and after merges. Out-of-order samples are
-- accepted and simply sorted by the key.
CREATE TABLE IF NOT EXISTS ${db}.metric_samples ${on_cluster}
(
    metric_name LowCardinality(String) CODEC(ZSTD(1)),
    fingerprint UInt64 CODEC(Delta(8), ZSTD(1)),
    timestamp Int64 CODEC(Delta(8), ZSTD(1)),
    value Float64 CODEC(ZSTD(1))
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

-- Series already recorded for a recent day are skipped: writing a series row per sample cost more
-- than the samples themselves (measured: 0.17 vs 0.08 CPU s per 10k one-sample series). Older days
-- (backfill) are rewritten and collapse in the ReplacingMergeTree.
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.metric_series_mv ${on_cluster} TO ${db}.metric_series AS
SELECT metric_name, fingerprint, day,
    mapFromArrays(arrayFilter(n -> n != '__name__', ns), arrayFilter((v, n) -> n != '__name__', vs, ns)) AS labels
FROM (
    SELECT metric_name, fingerprint, toDate(intDiv(timestamp, 1000)) AS day, any(names) AS ns, any(vals) AS vs
    FROM ${db}.metric_ingest
    WHERE kind = 'sample'
        AND (fingerprint, day) NOT IN (SELECT fingerprint, day FROM ${db}.metric_series WHERE day >= today() - 1)
    GROUP BY metric_name, fingerprint, day
);

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.exemplars_mv ${on_cluster} TO ${db}.exemplars AS
SELECT metric_name, fingerprint, timestamp, value, exemplar_labels AS labels, trace_id, span_id
FROM ${db}.metric_ingest WHERE kind = 'exemplar';

-- OTLP metrics as Prometheus series, the way Prometheus' OTLP receiver translates them: names
-- normalised with unit and _total/_ratio suffixes, attribute keys sanitised, job/instance from
-- service.namespace/service.name and service.instance.id, other resource attributes on target_info,
-- histograms as _bucket{le}/_sum/_count, summaries as quantiles, exponential histograms as classic
-- buckets. Delta points are skipped here: a view sees one block, so it cannot keep the running sums a
-- delta-to-cumulative conversion needs (005 and storage/delta_convert.py append them as cumulative points).
CREATE FUNCTION IF NOT EXISTS meshscope_prom_unit ${on_cluster} AS (u) ->
    arrayStringConcat(arrayFilter(x -> x != '', splitByRegexp('[^a-zA-Z0-9]+', transform(trimBoth(u),
        ['d', 'h', 'min', 's', 'ms', 'us', 'ns', 'By', 'KiBy', 'MiBy', 'GiBy', 'TiBy', 'KBy', 'MBy', 'GBy', 'TBy',
         'm', 'V', 'A', 'J', 'W', 'g', 'Cel', 'Hz', '1', '%'],
        ['days', 'hours', 'minutes', 'seconds', 'milliseconds', 'microseconds', 'nanoseconds', 'bytes', 'kibibytes',
         'mebibytes', 'gibibytes', 'tebibytes', 'kilobytes', 'megabytes', 'gigabytes', 'terabytes', 'meters', 'volts',
         'amperes', 'joules', 'watts', 'grams', 'celsius', 'hertz', '', 'percent'], trimBoth(u)))), '_');

CREATE FUNCTION IF NOT EXISTS meshscope_prom_per_unit ${on_cluster} AS (u) ->
    transform(trimBoth(u), ['s', 'm', 'h', 'd', 'w', 'mo', 'y'],
              ['second', 'minute', 'hour', 'day', 'week', 'month', 'year'], trimBoth(u));

CREATE FUNCTION IF NOT EXISTS meshscope_prom_tokens ${on_cluster} AS (s) ->
    arrayFilter(x -> x != '', splitByRegexp('[^a-zA-Z0-9]+', s));

CREATE FUNCTION IF NOT EXISTS meshscope_prom_with_unit ${on_cluster} AS (tokens, u) ->
    if(u = '' OR match(u, '[{}]') OR meshscope_prom_unit(u) = '' OR has(tokens, meshscope_prom_unit(u)),
       tokens, arrayPushBack(tokens, meshscope_prom_unit(u)));

CREATE FUNCTION IF NOT EXISTS meshscope_prom_with_per ${on_cluster} AS (tokens, u) ->
    if(u = '' OR match(u, '[{}]') OR meshscope_prom_per_unit(u) = '' OR has(tokens, meshscope_prom_per_unit(u)),
       tokens, arrayConcat(tokens, ['per', meshscope_prom_per_unit(u)]));

CREATE FUNCTION IF NOT EXISTS meshscope_prom_with_type ${on_cluster} AS (tokens, unit, type, monotonic) ->
    if(type = 'sum' AND monotonic, arrayPushBack(arrayFilter(x -> x != 'total', tokens), 'total'),
       if(unit = '1' AND type = 'gauge', arrayPushBack(arrayFilter(x -> x != 'ratio', tokens), 'ratio'), tokens));

CREATE FUNCTION IF NOT EXISTS meshscope_prom_digit ${on_cluster} AS (name) ->
    concat(if(match(name, '^[0-9]'), '_', ''), name);

-- Metric name as Prometheus' OTLP translator normalises it (unit "ms" on http.server.duration gives
-- http_server_duration_milliseconds; a monotonic sum ends in _total; a gauge in unit "1" in _ratio).
CREATE FUNCTION IF NOT EXISTS meshscope_prom_name ${on_cluster} AS (name, unit, type, monotonic) ->
    meshscope_prom_digit(arrayStringConcat(meshscope_prom_with_type(meshscope_prom_with_per(meshscope_prom_with_unit(
        meshscope_prom_tokens(name), splitByChar('/', unit)[1]), splitByChar('/', unit)[2]), unit, type, monotonic), '_'));

-- An attribute key as a label name: invalid characters become _, a leading digit gets key_.
CREATE FUNCTION IF NOT EXISTS meshscope_prom_label_start ${on_cluster} AS (l) ->
    multiIf(match(l, '^[0-9]'), concat('key_', l), match(l, '^_[^_]'), concat('key', l), l);

CREATE FUNCTION IF NOT EXISTS meshscope_prom_label ${on_cluster} AS (k) ->
    meshscope_prom_label_start(replaceRegexpAll(k, '[^a-zA-Z0-9_]', '_'));

CREATE FUNCTION IF NOT EXISTS meshscope_prom_attrs ${on_cluster} AS (m) ->
    mapFilter((k, v) -> v != '', mapFromArrays(arrayMap(k -> meshscope_prom_label(k), mapKeys(m)), mapValues(m)));

CREATE FUNCTION IF NOT EXISTS meshscope_prom_job ${on_cluster} AS (ra) ->
    mapFilter((k, v) -> v != '', map('job', if(ra['service.namespace'] != '' AND ra['service.name'] != '',
        concat(ra['service.namespace'], '/', ra['service.name']), ra['service.name']),
        'instance', ra['service.instance.id']));

-- One point becomes these series: (name, labels without __name__, kind, ms, value, exemplar labels).
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.otel_prom_mv ${on_cluster} TO ${db}.metric_ingest AS
SELECT r.1 AS metric_name, arraySort(arrayConcat(['__name__'], mapKeys(r.2))) AS names,
    arraySort((v, n) -> n, arrayConcat([r.1], mapValues(r.2)), arrayConcat(['__name__'], mapKeys(r.2))) AS vals,
    cityHash64(names, vals) AS fingerprint,
    r.3 AS kind, r.4 AS timestamp,
    if(bitAnd(flags, 1) = 1 AND r.3 = 'sample', reinterpretAsFloat64(toUInt64(9218868437227405314)), r.5) AS value,
    r.6 AS exemplar_labels, r.6['trace_id'] AS trace_id, r.6['span_id'] AS span_id
FROM (
    SELECT meshscope_prom_name(metric_name, unit, metric_type, is_monotonic) AS base, flags,
        meshscope_prom_job(resource_attributes) AS job_labels,
        mapUpdate(meshscope_prom_attrs(attributes), job_labels) AS lbls,
        toUnixTimestamp64Milli(timestamp) AS ts, CAST(map(), 'Map(String, String)') AS none,
        arrayMap(i -> mapUpdate(meshscope_prom_attrs(`exemplars.filtered_attributes`[i]),
                                mapFilter((k, v) -> v != '', map('trace_id', `exemplars.trace_id`[i],
                                                                 'span_id', `exemplars.span_id`[i]))),
                 arrayEnumerate(`exemplars.value`)) AS ex_labels,
        arrayMap(t -> toUnixTimestamp64Milli(t), `exemplars.timestamp`) AS ex_ts,
        `exemplars.value` AS ex_values,
        arrayMap(v -> if(arrayFirstIndex(b -> b >= v, explicit_bounds) = 0, '+Inf',
                         toString(explicit_bounds[arrayFirstIndex(b -> b >= v, explicit_bounds)])), `exemplars.value`)
            AS ex_le,
        metric_type = 'histogram' AS is_histogram,
        mapFilter((k, v) -> NOT startsWith(k, 'service_'),
                  meshscope_prom_attrs(mapFilter((k, v) -> k NOT IN ('service.name', 'service.namespace',
                                                                     'service.instance.id'), resource_attributes)))
            AS resource_labels,
        multiIf(
            metric_type IN ('gauge', 'sum'), [(base, lbls, value)],
            metric_type = 'histogram', arrayConcat(
                if(length(bucket_counts) = length(explicit_bounds) + 1,
                   arrayMap((b, c) -> (concat(base, '_bucket'), mapUpdate(lbls, map('le', b)), toFloat64(c)),
                            arrayPushBack(arrayMap(x -> toString(x), explicit_bounds), '+Inf'), arrayCumSum(bucket_counts)),
                   [(concat(base, '_bucket'), mapUpdate(lbls, map('le', '+Inf')), toFloat64(count))]),
                [(concat(base, '_sum'), lbls, sum), (concat(base, '_count'), lbls, toFloat64(count))]),
            metric_type = 'summary', arrayConcat(
                arrayMap((q, v) -> (base, mapUpdate(lbls, map('quantile', toString(q))), v), quantiles, quantile_values),
                [(concat(base, '_sum'), lbls, sum), (concat(base, '_count'), lbls, toFloat64(count))]),
            arrayConcat(
                arrayMap((i, c) -> (concat(base, '_bucket'),
                                    mapUpdate(lbls, map('le', toString(pow(2, pow(2, -exp_scale) * (exp_positive_offset + i))))),
                                    toFloat64(c + exp_zero_count + arraySum(exp_negative_bucket_counts))),
                         arrayEnumerate(exp_positive_bucket_counts), arrayCumSum(exp_positive_bucket_counts)),
                [(concat(base, '_bucket'), mapUpdate(lbls, map('le', '+Inf')), toFloat64(count)),
                 (concat(base, '_sum'), lbls, sum), (concat(base, '_count'), lbls, toFloat64(count))])) AS series
    FROM ${db}.otel_metrics
    WHERE temporality != 'delta' AND metric_name != ''
)
ARRAY JOIN arrayConcat(
    arrayMap(s -> (s.1, s.2, CAST('sample', 'Enum8(\'sample\' = 0, \'exemplar\' = 1)'), ts, s.3, none), series),
    if(length(resource_labels) > 0 AND length(job_labels) > 0,
       [('target_info', mapUpdate(resource_labels, job_labels),
         CAST('sample', 'Enum8(\'sample\' = 0, \'exemplar\' = 1)'), ts, 1.0, none)], []),
    arrayMap((el, et, ev, le) -> (if(is_histogram, concat(base, '_bucket'), base),
                                  if(is_histogram, mapUpdate(lbls, map('le', le)), lbls),
                                  CAST('exemplar', 'Enum8(\'sample\' = 0, \'exemplar\' = 1)'), et, ev, el),
             ex_labels, ex_ts, ex_values, ex_le)) AS r;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.otel_prom_metadata_mv ${on_cluster} TO ${db}.metric_metadata AS
SELECT name AS metric_name, kind AS type, any(description) AS help, any(unit) AS unit
FROM (
    SELECT meshscope_prom_name(metric_name, unit, metric_type, is_monotonic) AS name, description, unit,
        multiIf(metric_type = 'sum' AND is_monotonic, 'counter', metric_type IN ('histogram', 'exponential_histogram'),
                'histogram', metric_type = 'summary', 'summary', 'gauge') AS kind
    FROM ${db}.otel_metrics
    WHERE temporality != 'delta' AND metric_name != ''
)
GROUP BY name, kind
