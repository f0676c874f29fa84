"""Prometheus wire formats: remote_write (protobuf + snappy) and the text exposition formats."""
