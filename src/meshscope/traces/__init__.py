"""Trace search and retrieval over the spans and trace_index tables."""
