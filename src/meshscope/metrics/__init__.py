"""Prometheus-style metrics over ClickHouse: the storage-backed PromQL source and series catalog."""
