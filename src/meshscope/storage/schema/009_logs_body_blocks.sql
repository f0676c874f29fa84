-- Body back to the default compression blocks (64 KiB to 1 MiB, about one 1024-row granule).
-- 006 used 4 MiB blocks for 2.7 % less body on disk, but a line is read by decompressing its whole
-- block: the rare-token search (`{job="bench"} |= "[tok]"`, 10 hits in 10M lines, the text index
-- finding the rows) spent 60 ms decompressing ten 4 MiB blocks and 6 ms once the blocks were a
-- granule each (bench/logs_ingest_search.py; body 217 -> 226 MB in 10M lines).
-- Parts written before keep their blocks until merged.
ALTER TABLE ${db}.logs ${on_cluster}
    MODIFY COLUMN body RESET SETTING min_compress_block_size, max_compress_block_size;
