-- Log columns stored smaller, chosen by bench/logs_compression.py (1M lines of bench/logs_corpus.py,
-- 200 MB as a log file, one merged part; MB on disk, ratio = log file / table, insert CPU of the 1M):
--
--   variant                             table  ratio  body  text idx  trace_id  labels  severity  insert CPU
--   002 as created                      58.4   3.4x   22.6  20.6      9.0       3.1     0.9       4.4 s
--   006: label values LowCardinality,   55.1   3.6x   22.0  20.6      9.0       0.9     0.4       4.1 s
--        severity ZSTD, body in 4 MB compression blocks
--   + body ZSTD(6)                      54.9   3.7x   21.8  20.6      9.0       0.9     0.4       5.2 s
--   + body ZSTD(9)                      54.2   3.7x   21.1  20.6      9.0       0.9     0.4       6.4 s
--   + trace_id LowCardinality           56.2   3.6x   22.0  20.6     10.1       0.9     0.4       3.8 s
--   + timestamp DoubleDelta             56.0   3.6x   22.0  20.6      9.0       0.9     0.4       4.5 s
--   + text dictionary_block_size 4096   55.1   3.6x   22.0  20.6      9.0       0.9     0.4       4.9 s
--   + text posting_list_codec 'none'    55.6   3.6x   22.0  21.1      9.0       0.9     0.4       4.9 s
--   + tokenbf_v1 in place of text       39.9   5.0x   22.0   5.4      9.0       0.9     0.4       3.5 s
--   + no text index                     34.5   5.8x   22.0   0.0      9.0       0.9     0.4       2.9 s
--   + ORDER BY (svc, severity, ts)      55.5   3.6x   22.5  19.6     10.2       0.7     0.0       4.4 s
--
-- Not taken: higher ZSTD levels on body (0.4-1.6% smaller for 1.3-1.6x the insert CPU); ORDER BY with
-- severity (40x fewer rows read for a service + level filter, but no smaller, and a service's time range
-- is then cut by level); text index dictionary_block_size, posting_list_block_size 65536 or codec 'none'
-- (within 1%); tokenbf_v1 in place of the text index (hasAllTokens cannot use it: a rare token reads
-- every row). The text index is as large as it is because every token of every line gets a row-level
-- posting (bit-packed, ~6 bits each) and every id (trace ids, payment ids) a dictionary entry.
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
-- 100k-line inserts 3.3 s. Queries do not mind the extra small parts: the rare-token LogQL search over
-- 2M lines took 64 ms in 20 parts and 68 ms in one.
ALTER TABLE ${db}.logs ${on_cluster} MODIFY SETTING merge_selector_base = 20;
