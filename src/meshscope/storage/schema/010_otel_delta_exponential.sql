-- Delta exponential histograms wait for conversion too (they were dropped): the OTLP metrics writer
-- adds their buckets at the smaller scale of the two points (storage/exp_buckets.py) and appends
-- cumulative points that otel_prom_mv turns into classic buckets like any cumulative one.
DROP VIEW IF EXISTS ${db}.otel_delta_pending_mv ${on_cluster};

CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.otel_delta_pending_mv ${on_cluster} TO ${db}.otel_delta_pending AS
SELECT * FROM ${db}.otel_metrics
WHERE temporality = 'delta' AND metric_type IN ('sum', 'histogram', 'exponential_histogram') AND metric_name != '';
