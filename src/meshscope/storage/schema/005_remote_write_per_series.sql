-- remote_write (and scrape) bodies enter as one row per series as sent, not one row per sample.
-- A series already stored for the day of its samples needs no label checks, sorting or series
-- row: its fingerprint as sent is the stored one. So the statement run for every batch is small
-- (ClickHouse plans every view of a table on every insert, ~10 ms for a view with the label
-- functions), and new series and exemplars go through a second table, only when a batch has some
-- (storage/series_ingest.py runs the steps). Measured on 10k-series requests
-- (bench/metrics_ingest_query.py): the per-sample fan-out of 004 cost twice the samples themselves.
-- Every target is a ReplacingMergeTree keyed by series and time, so a replayed step only rewrites
-- rows that collapse.

-- (fingerprint, day) of rows stored in metric_series, in memory. Only ever a subset: filled from
-- metric_series after a batch's series rows are written, emptied and refilled at start and on a
-- new day, so "known" never skips a series row that is missing.
CREATE TABLE IF NOT EXISTS ${db}.metric_series_known ${on_cluster}
(
    fingerprint UInt64,
    day Date
)
ENGINE = Set
SETTINGS persistent = 0;

-- A label set as sent → canonical: empty values dropped (absent, as in Prometheus), pairs sorted by
-- name only when the sender did not sort them (remote_write 1.0 says senders must).
CREATE FUNCTION IF NOT EXISTS meshscope_present_names ${on_cluster} AS (n, v) ->
    if(has(v, ''), arrayFilter((x, y) -> y != '', n, v), n);

CREATE FUNCTION IF NOT EXISTS meshscope_present_values ${on_cluster} AS (v) ->
    if(has(v, ''), arrayFilter(y -> y != '', v), v);

CREATE FUNCTION IF NOT EXISTS meshscope_names_ordered ${on_cluster} AS (n) ->
    arrayAll((a, b) -> a < b, arrayPopBack(n), arrayPopFront(n));

CREATE FUNCTION IF NOT EXISTS meshscope_label_names ${on_cluster} AS (n, v) ->
    if(meshscope_names_ordered(meshscope_present_names(n, v)), meshscope_present_names(n, v),
       arraySort(meshscope_present_names(n, v)));

CREATE FUNCTION IF NOT EXISTS meshscope_label_values ${on_cluster} AS (n, v) ->
    if(meshscope_names_ordered(meshscope_present_names(n, v)), meshscope_present_values(v),
       arraySort((x, y) -> y, meshscope_present_values(v), meshscope_present_names(n, v)));

-- Canonical names/values that cannot be a series: no or an invalid metric name, an invalid or a
-- repeated label name (decode/prometheus/remote_write.series_problem says which, in words).
CREATE FUNCTION IF NOT EXISTS meshscope_labels_invalid ${on_cluster} AS (n, v) ->
    indexOf(n, '__name__') = 0 OR NOT match(v[indexOf(n, '__name__')], '^[a-zA-Z_:][a-zA-Z0-9_:]*$$')
    OR NOT match(arrayStringConcat(n, ','), '^[a-zA-Z_][a-zA-Z0-9_]*(,[a-zA-Z_][a-zA-Z0-9_]*)*$$')
    OR arrayExists((a, b) -> a = b, arrayPopBack(n), arrayPopFront(n));

-- One row per series as sent. known: the labels hash to a fingerprint stored for the one day of
-- all its samples, so they are canonical (sorted, no empty values, valid).
CREATE TABLE IF NOT EXISTS ${db}.series_ingest ${on_cluster}
(
    raw_fingerprint UInt64,
    known Bool,
    names Array(String),
    vals Array(String),
    samples Array(Tuple(timestamp Int64, value Float64)),
    exemplars Array(Tuple(labels Array(Tuple(name String, value String)), value Float64, timestamp Int64))
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.series_ingest_known_mv ${on_cluster} TO ${db}.metric_samples AS
SELECT vals[indexOf(names, '__name__')] AS metric_name, raw_fingerprint AS fingerprint,
    s.timestamp AS timestamp, s.value AS value
FROM ${db}.series_ingest ARRAY JOIN samples AS s
WHERE known;

-- What each insert attempt (log_comment, set by the writer) held: the samples, for exact accepted
-- counts without parsing bodies in Python, and what the second step has to do. Bounded, in memory.
CREATE TABLE IF NOT EXISTS ${db}.series_ingest_attempts ${on_cluster}
(
    attempt String,
    samples UInt64,
    new_series Array(UInt64),
    exemplars UInt64
)
ENGINE = Memory
SETTINGS min_rows_to_keep = 1000, max_rows_to_keep = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.series_ingest_attempts_mv ${on_cluster} TO ${db}.series_ingest_attempts AS
SELECT getSetting('log_comment') AS attempt, sum(length(samples)) AS samples,
    groupArrayIf(raw_fingerprint, NOT known) AS new_series, sum(length(exemplars)) AS exemplars
FROM ${db}.series_ingest;

-- Step two: series that were not known in step one, and series with exemplars (known or not).
CREATE TABLE IF NOT EXISTS ${db}.series_ingest_new ${on_cluster} AS ${db}.series_ingest ENGINE = Null;

-- An invalid label set fails the whole insert (the writer then isolates the bad body).
CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.series_ingest_new_samples_mv ${on_cluster} TO ${db}.metric_samples AS
SELECT metric_name, fingerprint + throwIf(bad, 'remote_write: invalid series labels') AS fingerprint,
    s.timestamp AS timestamp, s.value AS value
FROM (
    SELECT meshscope_label_names(names, vals) AS ns, meshscope_label_values(names, vals) AS vs,
        vs[indexOf(ns, '__name__')] AS metric_name, cityHash64(ns, vs) AS fingerprint,
        meshscope_labels_invalid(ns, vs) AS bad, samples
    FROM ${db}.series_ingest_new
    WHERE NOT known
)
ARRAY JOIN samples AS s;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.series_ingest_new_series_mv ${on_cluster} TO ${db}.metric_series AS
SELECT metric_name, fingerprint, day,
    mapFromArrays(arrayFilter(n -> n != '__name__', ns), arrayFilter((v, n) -> n != '__name__', vs, ns)) AS labels
FROM (
    SELECT meshscope_label_names(names, vals) AS ns, meshscope_label_values(names, vals) AS vs,
        vs[indexOf(ns, '__name__')] AS metric_name, cityHash64(ns, vs) AS fingerprint,
        meshscope_labels_invalid(ns, vs) AS bad,
        arrayDistinct(arrayMap(s -> toDate(intDiv(s.timestamp, 1000)), samples)) AS days
    FROM ${db}.series_ingest_new
    WHERE NOT known
)
ARRAY JOIN days AS day
WHERE NOT bad AND (fingerprint, day) NOT IN ${db}.metric_series_known;

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.series_ingest_exemplars_mv ${on_cluster} TO ${db}.exemplars AS
SELECT metric_name, fingerprint, e.timestamp AS timestamp, e.value AS value,
    mapFromArrays(arrayMap(l -> l.name, e.labels), arrayMap(l -> l.value, e.labels)) AS labels,
    labels['trace_id'] AS trace_id, labels['span_id'] AS span_id
FROM (
    SELECT meshscope_label_names(names, vals) AS ns, meshscope_label_values(names, vals) AS vs,
        vs[indexOf(ns, '__name__')] AS metric_name, cityHash64(ns, vs) AS fingerprint,
        meshscope_labels_invalid(ns, vs) AS bad, exemplars
    FROM ${db}.series_ingest_new
    WHERE notEmpty(exemplars)
)
ARRAY JOIN exemplars AS e
WHERE NOT bad;

-- OTLP delta temporality → cumulative (storage/delta_sums.py has the rules). Delta sums and
-- histograms wait here until the OTLP metrics writer, right after its insert, turns them into
-- cumulative points appended to otel_metrics with temporality 'delta_to_cumulative' (so
-- otel_prom_mv translates them like any cumulative point; the delta points stay as sent). The
-- running sums are the last such points: they live in storage, survive restarts, and a replayed
-- or retried delta is not newer than them, so it is not added twice.
CREATE TABLE IF NOT EXISTS ${db}.otel_delta_pending ${on_cluster} AS ${db}.otel_metrics
ENGINE = MergeTree
ORDER BY (metric_name, timestamp);

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.otel_delta_pending_mv ${on_cluster} TO ${db}.otel_delta_pending AS
SELECT * FROM ${db}.otel_metrics
WHERE temporality = 'delta' AND metric_type IN ('sum', 'histogram') AND metric_name != '';

-- The identity of an OTLP stream: metric (name, type, unit, monotonic), resource, scope, attributes.
CREATE FUNCTION IF NOT EXISTS meshscope_otel_stream ${on_cluster} AS
    (metric_name, metric_type, unit, is_monotonic, resource_attributes, scope_name, scope_version, attributes) ->
    cityHash64(metric_name, metric_type, unit, is_monotonic, mapSort(resource_attributes), scope_name,
               scope_version, mapSort(attributes))
;

-- Background merges of the small parts remote_write batches make were a third of the ingest CPU
-- (bench/metrics_ingest_query.py, 2.41M samples in 10k-sample inserts). Merging 25 or more parts
-- at once rewrites each sample fewer times: 3.0 merge CPU seconds against 6.2 with 10 at once
-- (and more with the default), at the price of up to a few dozen parts between merges.
ALTER TABLE ${db}.metric_samples ${on_cluster} MODIFY SETTING min_parts_to_merge_at_once = 25,
    merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0
