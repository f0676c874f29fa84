-- metric_samples ordered by (metric, 2 h bucket, series, time) instead of (metric, series, time).
-- With the series first, a series' ~5,760 samples a day (15 s) fill most of a granule, so every
-- granule spans the whole day and a "last hour" query read its metric's whole day. With a 2 h
-- bucket first (Prometheus cuts 2 h blocks), a granule of 2,048 rows holds ~4 series' 2 h and a 1 h
-- range reads one or two buckets. The reader (metrics/source.py) names the buckets of its range itself:
-- ClickHouse does not carry a timestamp range through intDiv into the key.
--
-- Measured with bench/metric_samples_layout.py: 5,000 series (counters, histogram buckets, gauges),
-- 24 h at 15 s = 28.8 M samples, inserted an hour at a time, merged; the reader's SQL for one whole
-- metric (3,333 bucket series) and for {job="api"} of http_requests_total (1 series in 8); rows read
-- from storage and process CPU as ratios against the old key in the same run (one run; insert CPU
-- includes the background merges running meanwhile):
--
--   layout                          B/sample  1 h metric   1 h {job}    24 h metric  24 h {job}   insert  merge
--                                             rows   CPU   rows   CPU   rows   CPU   rows   CPU   CPU     CPU
--   (name, fp, ts), granule 8192    2.16      1.00   1.00  1.00   1.00  1.00   1.00  1.00   1.00  1.00    1.00
--   (name, fp, ts), granule 1024    2.17      0.22   0.87  0.10   0.85  1.00   1.10  0.53   1.38  1.03    1.05
--   (name, 1 h, fp, ts), 8192       2.22      0.08   0.14  0.30   0.30  1.00   1.24  3.58   1.89  1.06    0.68
--   (name, 2 h, fp, ts), 8192       2.22      0.08   0.16  0.27   0.32  1.00   1.43  3.22   2.02  1.03    0.80
--   (name, 2 h, fp, ts), 2048  <-   2.23      0.08   0.18  0.15   0.41  1.00   1.37  1.83   1.62  1.12    0.90
--   (name, 2 h, fp, ts), 1024       2.23      0.08   0.18  0.11   0.34  1.00   1.53  1.26   1.78  1.16    1.09
--   (name, fp, ts), 2 h partitions  2.22      0.08   0.16  0.27   0.36  1.00   1.15  3.26   1.81  0.62    0.75
--
-- The old key read 19.2 M rows (the metric's whole day) for 0.87 M samples in the last 1 h 5 min
-- (946 ms CPU; the chosen layout 172 ms). CPU ratios move by up to ~0.35 between runs on the shared
-- 2-core machine (another run of the chosen layout: 0.15, 0.31, 0.99, 1.51); rows read do not.
-- The price is paid by long ranges: 24 h of a whole metric costs 1.0-1.4x the CPU (ClickHouse
-- sorts what it used to read in order: ~10 % of the statement), and a selector keeping few of a
-- metric's series reads ~2x the rows, since a granule now mixes ~4 series.
-- Rows in (series, time) order: reading in key order and sorting in numpy (a stable argsort by
-- series) was never cheaper than ClickHouse's sort (1 h: within 5 %; 24 h: up to 1.4x the CPU), so
-- the reader still asks ClickHouse for ORDER BY fingerprint, timestamp.
-- Not taken: 2 h partitions (as good, but 12 partitions a day, and an insert may touch at most 100
-- partitions: a backfill of more than 8 days in one request would fail); granule 1024 (fewer
-- rows for a few series, but twice the primary index, kept in memory, of 2048); 1 h buckets (no
-- better for 1 h, worse for 24 h).
--
-- The table is rebuilt: a new table is filled from the old one read with FINAL (the copy holds
-- exactly what a merge would keep, so duplicates resolve as before), then the two are exchanged
-- by name, which views writing TO metric_samples follow (they resolve the target by name on every
-- insert), and the old one is dropped. Every step can be run again: a start interrupted anywhere
-- drops the half-built table and copies again from metric_samples, whichever layout it has.
DROP TABLE IF EXISTS ${db}.metric_samples_007 ${on_cluster} SYNC;

CREATE TABLE ${db}.metric_samples_007 ${on_cluster} AS ${db}.metric_samples
ENGINE = ${engine_prefix}ReplacingMergeTree${engine_args}
PARTITION BY toDate(intDiv(timestamp, 1000))
ORDER BY (metric_name, intDiv(timestamp, 7200000), fingerprint, timestamp)
TTL toDateTime(intDiv(timestamp, 1000)) + toIntervalSecond(${ttl_metrics})
SETTINGS index_granularity = 2048, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000,
    min_parts_to_merge_at_once = 25, merge_selector_enable_heuristic_to_lower_max_parts_to_merge_at_once = 0;

INSERT INTO ${db}.metric_samples_007 SELECT metric_name, fingerprint, timestamp, value
FROM ${db}.metric_samples FINAL
SETTINGS do_not_merge_across_partitions_select_final = 1;

EXCHANGE TABLES ${db}.metric_samples AND ${db}.metric_samples_007 ${on_cluster};

DROP TABLE ${db}.metric_samples_007 ${on_cluster} SYNC
