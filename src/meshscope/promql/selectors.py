"""Instant-vector selection: the latest sample at or before each step within the lookback delta.

A sample counts for a step when ``t - lookback <= ts <= t`` (closed, as in Prometheus 2.42) and
it is not a staleness marker; a marker hides the series until the next real sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from meshscope.promql.labels import Labels, sort_key
from meshscope.promql.source import I64, SeriesBlock, is_stale
from meshscope.promql.values import StepVector
from meshscope.promql.windows import locate


def instant_lookup(block: SeriesBlock, times: I64, lookback_ms: int) -> tuple[StepVector, I64]:
    """Values of every series at every time in ``times``, and the timestamps of those samples."""
    ts, offsets = block.timestamps, block.offsets
    n_series = len(block)
    if n_series == 0 or len(ts) == 0:
        shape = (n_series, len(times))
        return StepVector(list(block.labels), np.zeros(shape), np.zeros(shape, dtype=bool)), \
            np.zeros(shape, dtype=np.int64)
    idx = locate(ts, offsets, times, "right")  # one past the latest sample at or before each time
    ok = idx > offsets[:-1, None]  # there is one in the series
    idx -= 1  # where there is none this is the previous series' last sample (or -1: the last one): masked
    sample_ts, values = ts[idx], block.values[idx]
    ok &= sample_ts >= (times - lookback_ms)[None, :]
    ok &= ~is_stale(values)
    return StepVector(list(block.labels), values, ok), sample_ts


def label_order(labels: Sequence[Labels]) -> list[int] | None:
    """Indices that put ``labels`` in Prometheus' order, or None when they already are."""
    keys = [sort_key(lb) for lb in labels]
    if None in keys:
        return _order(labels)
    return _order(keys)


def _order(keys: Sequence[Any]) -> list[int] | None:
    if all(keys[i] < keys[i + 1] for i in range(len(keys) - 1)):
        return None
    return sorted(range(len(keys)), key=keys.__getitem__)


def sort_by_labels(block: SeriesBlock) -> SeriesBlock:
    """The block with series in label order (sources may answer in any order)."""
    if block.ordered:
        return block
    order = label_order(block.labels)
    return block if order is None else block.reordered(order)
