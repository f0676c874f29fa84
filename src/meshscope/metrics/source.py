"""The PromQL engine's :class:`SeriesSource` over ClickHouse.

A select is two statements: the matching series (labels, from ``metric_series``, bounded by the
days of the range) and their samples in the time range (Arrow columns ordered by series and
time, straight into a :class:`SeriesBlock` without a Python object per sample). Samples are read
with ``FINAL`` so duplicates resolve exactly as a merge would (the last write wins).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from meshscope.metrics import matchers_sql
from meshscope.promql.labels import Labels
from meshscope.promql.matchers import LabelMatcher
from meshscope.promql.source import SelectHints, SeriesBlock
from meshscope.storage.executor import Executor
from meshscope.storage.sql import quote_list

READ_SETTINGS = {"do_not_merge_across_partitions_select_final": 1}


def series_query(db: str, matchers: Sequence[LabelMatcher], start_ms: int, end_ms: int,
                 columns: str = "fingerprint, any(metric_name) AS name, any(labels) AS lbls") -> str:
    """Series matching ``matchers`` that have samples on a day of [start, end]."""
    names = matchers_sql.metric_names(matchers)
    name_filter = f"metric_name IN {quote_list(names)} AND " if names else ""
    return (f"SELECT {columns} FROM {db}.metric_series "
            f"WHERE {name_filter}day BETWEEN toDate(intDiv({start_ms}, 1000)) AND toDate(intDiv({end_ms}, 1000)) "
            f"AND {matchers_sql.where(matchers)} GROUP BY fingerprint")


def to_labels(name: str, labels: dict[str, str] | list[tuple[str, str]]) -> Labels:
    items = labels.items() if isinstance(labels, dict) else labels
    return tuple(sorted([("__name__", name), *((k, v) for k, v in items if v != "")]))


class ClickHouseSource:
    """Reads series and samples for the engine; safe to share between threads."""

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self.db = executor.database

    def select(self, matchers: Sequence[LabelMatcher], start_ms: int, end_ms: int,
               hints: SelectHints) -> SeriesBlock:
        series = self.executor.arrow(series_query(self.db, matchers, start_ms, end_ms))
        if series.num_rows == 0:
            return SeriesBlock.empty()
        names = matchers_sql.metric_names(matchers)
        name_filter = f"metric_name IN {quote_list(names)} AND " if names else ""
        samples = self.executor.arrow(
            f"SELECT fingerprint, timestamp, value FROM {self.db}.metric_samples FINAL "
            f"WHERE {name_filter}fingerprint IN ({series_query(self.db, matchers, start_ms, end_ms, 'fingerprint')}) "
            f"AND timestamp BETWEEN {start_ms} AND {end_ms} ORDER BY fingerprint, timestamp", READ_SETTINGS)
        return _block(series, samples)


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


def _block(series: pa.Table, samples: pa.Table) -> SeriesBlock:
    if samples.num_rows == 0:
        return SeriesBlock.empty()
    fps = samples.column("fingerprint").to_numpy()
    starts = np.flatnonzero(np.concatenate(([True], fps[1:] != fps[:-1])))
    offsets = np.append(starts, len(fps)).astype(np.int64)
    series_fps = series.column("fingerprint").to_numpy()
    order = np.argsort(series_fps, kind="stable")
    row = order[np.searchsorted(series_fps, fps[starts], sorter=order)]  # each run's series row
    all_labels = _labels(series)
    labels = [all_labels[i] for i in row.tolist()]
    ts = samples.column("timestamp").to_numpy().astype(np.int64, copy=False)
    values = samples.column("value").to_numpy().astype(np.float64, copy=False)
    return SeriesBlock(labels, offsets, ts, values)
