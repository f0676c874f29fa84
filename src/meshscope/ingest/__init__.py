"""Long-lived ingest pieces that are neither pure decoders nor HTTP handlers (listeners, id sets)."""
