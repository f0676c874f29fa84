"""Pull collection: Prometheus ``scrape_configs``, target discovery, relabeling and scrape loops."""
