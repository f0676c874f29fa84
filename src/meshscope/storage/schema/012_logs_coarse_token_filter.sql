-- A small token bloom filter per 16 granules, checked before the per-granule one of 011, so that a
-- rare-token search reads the large filter only where the small one lets it through.
--
-- Why: the cost of `hasToken` over a bloom filter grows with the bytes of filter read, and ClickHouse
-- reads one part's filter on one thread. 10M lines of bench/logs_corpus.py merged into one part
-- (30 MB of 011's filter) took 45 ms for `count() WHERE hasToken(body, 'zq9xkrare')`, whatever
-- max_threads said. Skip indexes are checked in the order the table lists them, each on the granules
-- the one before let through, so a filter listed FIRST decides how much of the next is read
-- (measured on that part, best of 15, MB after merge):
--
--   filters in front of idx_tokens            MB    granules left · then   count()
--   none (011)                                 -    9766 → 50              45 ms
--   tokenbf_v1(16384, 2) GRANULARITY 16       6.9   400 → 12               17 ms
--   tokenbf_v1(8192, 2) GRANULARITY 16        4.3   576 → 16               15 ms   ← this one
--   tokenbf_v1(8192, 2) GRANULARITY 8         7.1   208 → 11               16 ms
--   tokenbf_v1(65536, 2) GRANULARITY 64       6.4   640 → 12               18 ms
--
-- 4.3 MB is 1.4% of that table. A common word is not slowed: the large filter is then read almost
-- whole, after the small one (`timeout`: 201 ms with, 214 ms without).
--
-- Parts written before get the filter from a background mutation; until then they are read through
-- idx_tokens alone, as before.
ALTER TABLE ${db}.logs ${on_cluster}
    ADD INDEX IF NOT EXISTS idx_tokens_coarse body TYPE tokenbf_v1(8192, 2, 0) GRANULARITY 16 FIRST;
ALTER TABLE ${db}.logs ${on_cluster} MATERIALIZE INDEX idx_tokens_coarse;
