-- Log columns stored smaller, chosen by bench/logs_compression.py (1M lines of bench/logs_corpus.py,
-- 200 MB as a log file, one merged part; MB on disk, ratio = log file / table):
--
--   variant                                   table  ratio  body  text idx  trace_id  labels  severity  insert CPU
--   002 as created                            58.4   3.4x   22.6  20.6      9.0       3.1     0.9       4.2 s
--   label values LowCardinality, severity ZSTD 55.7  3.6x   22.6  20.6      9.0       0.9     0.4       3.7 s
--   + body in 4 MB compression blocks         55.0   3.6x   22.0  20.6      9.0       0.9     0.4       3.8 s
--   + body ZSTD(6) instead                    54.6   3.7x   21.6  20.6      9.0       0.9     0.4       5.6 s
--   + trace_id LowCardinality instead         56.9   3.5x   22.6  20.6     10.1       0.9     0.4       4.6 s
--
-- Not taken: ZSTD(3)/(6)/(9) on body (1-4% smaller for 1.5x the insert CPU); ORDER BY (service_name,
-- severity_number, timestamp) (40x fewer rows read for a service + level filter, but 33% more for a
-- trace id and no smaller); text index dictionary_block_size 4096, posting_list_block_size 65536 or
-- posting_list_codec 'none' (within 1% of the default); tokenbf_v1 in place of the text index (6 MB
-- instead of 21, but hasAllTokens cannot use it: a rare token reads every row). The text index costs
-- what it costs because every line's ~15 tokens get a row-level posting (bit-packed, ~6 bits each)
-- and every id a dictionary entry; only a coarser index would be smaller, and the search side needs it.
-- Label values are a few per key (host, level, job), so LowCardinality stores each once per part.
ALTER TABLE ${db}.logs ${on_cluster}
    MODIFY COLUMN labels Map(LowCardinality(String), LowCardinality(String)) CODEC(ZSTD(1)),
    MODIFY COLUMN severity_text LowCardinality(String) CODEC(ZSTD(1)),
    MODIFY COLUMN severity_number UInt8 CODEC(ZSTD(1));

ALTER TABLE ${db}.logs ${on_cluster}
    MODIFY COLUMN body MODIFY SETTING min_compress_block_size = 4194304, max_compress_block_size = 4194304;

-- Log doors insert each request as it comes (a Loki push is ~10k lines), so parts are small and
-- merges, which rebuild the text index, cost more CPU than the inserts: 2M lines in 10k-line
-- inserts (bench/logs_compression.py --merges) took 12.6 s CPU in merges at the default
-- merge_selector_base 5, 7.8 s at 20 (11 parts left instead of 9), 11.7 s with the Trivial selector;
-- 100k-line inserts 3.3 s.
ALTER TABLE ${db}.logs ${on_cluster} MODIFY SETTING merge_selector_base = 20;
