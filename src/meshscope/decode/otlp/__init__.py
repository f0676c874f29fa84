"""OTLP (traces, logs, metrics) in protobuf and JSON encodings."""
