"""The PromQL engine's :class:`SeriesSource` over ClickHouse.

A select is one statement when the series are known: the samples in the time range (Arrow
columns in the table's own order, regrouped per series by :mod:`.sample_runs` without a Python
object per sample) of the series the matchers select in ``metric_series`` (a subquery; a bare
metric name needs none, it is the primary key's prefix). Labels come from a :class:`SeriesLabels`
cache by fingerprint; only unknown fingerprints are looked up.

Duplicates (same series and ms) must resolve exactly as a merge would (the last write wins), which
``FINAL`` does, at about twice the cost of a plain ordered read. A plain read returns every
duplicate row, so samples are read plainly and read again with ``FINAL`` only when two samples of
one series share a timestamp: the answer is the same, bit for bit, either way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from meshscope.metrics import matchers_sql
from meshscope.metrics.sample_runs import block_from_runs
from meshscope.metrics.series_labels import LabelOrder, SeriesLabels
from meshscope.promql.labels import Labels
from meshscope.promql.matchers import LabelMatcher
from meshscope.promql.source import F64, I64, SelectHints, SeriesBlock
from meshscope.storage.executor import Executor, Settings
from meshscope.storage.sql import quote, quote_list

# Arrow output is LZ4-compressed by default: compressing in ClickHouse and decompressing in pyarrow
# cost ~2.5 ms per 160k samples (of ~15), for bytes that never leave the process (or a local
# network). Blocks are capped at ~1 MB by default, and every block is a record batch that numpy
# then concatenates: one block of up to 1M rows is one batch, read without a copy (~0.5 ms).
READ_SETTINGS: Settings = {"do_not_merge_across_partitions_select_final": 1,
                           "output_format_arrow_compression_method": "none",
                           "max_block_size": 1 << 20, "preferred_block_size_bytes": 1 << 26}
MAX_LISTED = 2_000  # unknown fingerprints looked up by value; more re-read the selector's series
# metric_samples is ordered by (metric, 2 h bucket of the timestamp, series, time) (schema 007).
# ClickHouse does not carry a timestamp range through intDiv to the key, so the reader names the
# buckets itself (bounds computed by the same intDiv, so negative times round alike).
TIME_BUCKET_MS = 7_200_000


def series_query(db: str, matchers: Sequence[LabelMatcher], start_ms: int, end_ms: int,
                 columns: str = "fingerprint, any(metric_name) AS name, any(labels) AS lbls") -> str:
    """Series matching ``matchers`` that have samples on a day of [start, end]."""
    names = matchers_sql.metric_names(matchers)
    name_filter = f"metric_name IN {quote_list(names)} AND " if names else ""
    return (f"SELECT {columns} FROM {db}.metric_series "
            f"WHERE {name_filter}day BETWEEN toDate(intDiv({start_ms}, 1000)) AND toDate(intDiv({end_ms}, 1000)) "
            f"AND {matchers_sql.where(matchers)} GROUP BY fingerprint")


def samples_query(db: str, matchers: Sequence[LabelMatcher], start_ms: int, end_ms: int, final: bool) -> str:
    """Samples in [start, end] of the series matching ``matchers`` in the table's key order (time
    bucket, series, time): read in order, no sort (see :mod:`.sample_runs`)."""
    names = matchers_sql.metric_names(matchers)
    if len(matchers) == 1 and names is not None:  # every series of one metric: a key prefix
        which = f"metric_name = {quote(names[0])}"
    else:
        name_filter = f"metric_name IN {quote_list(names)} AND " if names else ""
        which = f"{name_filter}fingerprint IN ({series_query(db, matchers, start_ms, end_ms, 'fingerprint')})"
    buckets = (f"intDiv(timestamp, {TIME_BUCKET_MS}) BETWEEN intDiv({start_ms}, {TIME_BUCKET_MS}) "
               f"AND intDiv({end_ms}, {TIME_BUCKET_MS})")
    return (f"SELECT fingerprint, timestamp, value FROM {db}.metric_samples{' FINAL' if final else ''} "
            f"WHERE {which} AND {buckets} AND timestamp BETWEEN {start_ms} AND {end_ms} "
            f"ORDER BY metric_name, intDiv(timestamp, {TIME_BUCKET_MS}), fingerprint, timestamp")


def to_labels(name: str, labels: dict[str, str] | list[tuple[str, str]]) -> Labels:
    items = labels.items() if isinstance(labels, dict) else labels
    return tuple(sorted([("__name__", name), *((k, v) for k, v in items if v != "")]))


class ClickHouseSource:
    """Reads series and samples for the engine; safe to share between threads."""

    def __init__(self, executor: Executor, labels: SeriesLabels | None = None) -> None:
        self.executor = executor
        self.db = executor.database
        self.labels = labels if labels is not None else SeriesLabels()

    def select(self, matchers: Sequence[LabelMatcher], start_ms: int, end_ms: int,
               hints: SelectHints) -> SeriesBlock:
        def lookup(distinct: npt.NDArray[np.uint64]) -> LabelOrder:
            return self.labels.order(distinct, lambda missing: self._fetch_labels(matchers, start_ms, end_ms, missing))

        read = block_from_runs(*_columns(self._samples(matchers, start_ms, end_ms, final=False)), lookup)
        if read.duplicates:
            read = block_from_runs(*_columns(self._samples(matchers, start_ms, end_ms, final=True)), lookup)
        return read.block

    def _samples(self, matchers: Sequence[LabelMatcher], start_ms: int, end_ms: int, final: bool) -> pa.Table:
        return self.executor.arrow(samples_query(self.db, matchers, start_ms, end_ms, final), READ_SETTINGS)

    def _fetch_labels(self, matchers: Sequence[LabelMatcher], start_ms: int, end_ms: int,
                      missing: list[int]) -> list[tuple[int, Labels]]:
        if len(missing) <= MAX_LISTED:
            names = matchers_sql.metric_names(matchers)
            name_filter = f"metric_name IN {quote_list(names)} AND " if names else ""
            sql = (f"SELECT fingerprint, any(metric_name) AS name, any(labels) AS lbls FROM {self.db}.metric_series "
                   f"WHERE {name_filter}fingerprint IN ({','.join(map(str, missing))}) GROUP BY fingerprint")
        else:
            sql = series_query(self.db, matchers, start_ms, end_ms)
        series = self.executor.arrow(sql)
        if series.num_rows == 0:
            return []
        return list(zip(series.column("fingerprint").to_pylist(), _labels(series), strict=True))


def _columns(samples: pa.Table) -> tuple[npt.NDArray[np.uint64], I64, F64]:
    if samples.num_rows == 0:
        return np.empty(0, np.uint64), np.empty(0, np.int64), np.empty(0, np.float64)
    ts = samples.column("timestamp").to_numpy().astype(np.int64, copy=False)
    values = samples.column("value").to_numpy().astype(np.float64, copy=False)
    return samples.column("fingerprint").to_numpy(), ts, values


def _labels(series: pa.Table) -> list[Labels]:
    """Label tuples of every series row, from the Map column's flat keys/values (no per-map objects)."""
    maps = series.column("lbls").combine_chunks()
    offsets = maps.offsets.to_numpy()
    keys, values = maps.keys.to_pylist(), maps.items.to_pylist()
    names = series.column("name").to_pylist()
    out = []
    for i, name in enumerate(names):
        a, b = offsets[i], offsets[i + 1]
        out.append(to_labels(name, list(zip(keys[a:b], values[a:b], strict=True))))
    return out
