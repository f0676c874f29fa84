-- Logs at half the disk: a token bloom filter per granule in place of the row-level text index, and a
-- trace id that the line already contains kept once (bench/logs_compression.py, 1M lines of
-- bench/logs_corpus.py, 200 MB as a log file, one merged part, MB on disk):
--
--   table                                    total  ratio  body  token index  trace id  trace index  insert CPU
--   up to 010 (text index, trace_id String)  55.7   3.6x   22.6  20.6         9.0       1.0          2.8 s
--   011                                      29.8   6.7x   22.6   2.8         0.8       1.0          2.3 s
--
-- The text index gave every token of every line a row-level posting and every id a dictionary entry,
-- as large as the body itself. `tokenbf_v1` keeps 3 KiB of bloom filter (3 hashes) per 1024-row
-- granule: the rare-token search `|= "[tok]"` (hasToken on the literal's whole tokens) read 3 granules
-- of 977. 2 KiB with 2 hashes saves 1 MB but let through 12 granules here, and ~8% of them with three
-- ids a line (tests/integration/test_logs_token_filter.py); 4 KiB with 3 hashes read 1 for 0.6 MB
-- more. What the filter cannot do is what the text index's dictionary scan did for a bare word,
-- `|= "tok"`: that reads every line of the selected streams (53 ms per 1M lines).
--
-- A trace id found in its own line (`trace_id=...` in logfmt, JSON or an access log: 85% of the
-- corpus' lines) is stored as its place in the body (`trace_at`, `trace_len`); `trace_id` reads it
-- back from there, or from `trace_own` when the line does not contain it. Inserts write the id to the
-- ephemeral `trace_in`. Random 128-bit ids do not compress, and the sort by service puts a trace's
-- lines in several places, so a separate copy cost 9 bytes a line.
--
-- Considered and not taken: body ZSTD(6) (-1 MB for 1.26x the insert CPU); storing lines as
-- templates plus variables (tpl LowCardinality, vars Array(String), the trace id var folded in) came
-- to 23 MB (8.7x), but reading a line back then rebuilds it with array functions, and a scan that
-- reads every line ran ~15x slower (223 ms against 15 ms per 1M lines on one thread).
--
-- Parts written before keep their trace ids in `trace_own`; the new indexes are built for them by a
-- background mutation, and queries are right before it ends (a part without the index is read whole).
ALTER TABLE ${db}.logs ${on_cluster} DROP INDEX IF EXISTS idx_body;
ALTER TABLE ${db}.logs ${on_cluster} DROP INDEX IF EXISTS idx_trace_id;
ALTER TABLE ${db}.logs ${on_cluster} RENAME COLUMN trace_id TO trace_own;
ALTER TABLE ${db}.logs ${on_cluster}
    ADD COLUMN trace_in String EPHEMERAL '' AFTER trace_own,
    ADD COLUMN trace_at UInt32 DEFAULT if(trace_in != '' AND length(trace_in) < 256, position(body, trace_in), 0)
        CODEC(ZSTD(1)) AFTER trace_in,
    ADD COLUMN trace_len UInt8 DEFAULT if(trace_at > 0, length(trace_in), 0) CODEC(ZSTD(1)) AFTER trace_at;
ALTER TABLE ${db}.logs ${on_cluster}
    MODIFY COLUMN trace_own String DEFAULT if(trace_at > 0, '', trace_in) CODEC(ZSTD(1));
ALTER TABLE ${db}.logs ${on_cluster}
    ADD COLUMN trace_id String ALIAS if(trace_at > 0, substring(body, trace_at, trace_len), trace_own) AFTER trace_len;
ALTER TABLE ${db}.logs ${on_cluster}
    ADD INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    ADD INDEX idx_tokens body TYPE tokenbf_v1(3072, 3, 0) GRANULARITY 1;
ALTER TABLE ${db}.logs ${on_cluster} MATERIALIZE INDEX idx_trace_id;
ALTER TABLE ${db}.logs ${on_cluster} MATERIALIZE INDEX idx_tokens;
