"""Storage: one SQL schema and one set of queries over embedded chDB or a ClickHouse server."""
