"""Samples read in storage order, regrouped into a :class:`SeriesBlock` in label order.

``metric_samples`` is ordered by (metric, 2 h bucket, series, time) (schema 007), so reading in
that order costs no sort in ClickHouse (an ``ORDER BY fingerprint, timestamp`` sorted every row,
a third of the statement). Such rows come as *runs*: one per series and bucket, each sorted by
time, a series' runs in time order. Putting a series' runs together is a stable sort of the few
runs (not of the rows) and one gather of the rows, which also puts the series in label order, so
the engine needs no second reordering.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from meshscope.metrics.series_labels import LabelOrder
from meshscope.promql.labels import Labels
from meshscope.promql.source import F64, I64, SeriesBlock

U64 = npt.NDArray[np.uint64]
Order = Callable[[U64], LabelOrder]  # distinct fingerprints, ascending -> their series in label order


def run_starts(fps: U64) -> I64:
    """Row indices where a run of one fingerprint begins."""
    if len(fps) == 0:
        return np.empty(0, np.int64)
    changes = np.flatnonzero(fps[1:] != fps[:-1])
    starts: I64 = np.empty(len(changes) + 1, dtype=np.int64)
    starts[0] = 0
    np.add(changes, 1, out=starts[1:])
    return starts


class Regrouped(NamedTuple):
    block: SeriesBlock
    duplicates: bool  # two samples of one series share a timestamp (the reader then reads with FINAL)


def block_from_runs(fps: U64, ts: I64, values: F64, order: Order) -> Regrouped:
    """The rows (each fingerprint's runs sorted by time, runs of one fingerprint in time order) as a
    block with one series per fingerprint that storage knows a series for, in the order ``order``
    gives for the distinct fingerprints (sorted ascending)."""
    if len(fps) == 0:
        return Regrouped(SeriesBlock.empty(), False)
    starts = run_starts(fps)
    sizes = np.diff(np.append(starts, len(fps)))
    distinct, run_series = np.unique(fps[starts], return_inverse=True)
    series = order(distinct)
    run_rank = series.rank[run_series.ravel()]
    runs = np.flatnonzero(run_rank >= 0)
    runs = runs[np.argsort(run_rank[runs], kind="stable")]
    block = _gather(starts[runs], sizes[runs], run_rank[runs], ts, values, series.labels, series.ordered)
    steps = _steps_within_series(block)
    if not len(steps) or steps.min() > 0:  # the usual case, in one pass
        return Regrouped(block, False)
    if (steps < 0).any():  # one fingerprint under two metric names (a hash collision): runs came metric by metric
        block = _sorted_by_time(block)
        steps = _steps_within_series(block)
    return Regrouped(block, bool((steps == 0).any()))


def _gather(run_start: I64, run_size: I64, run_rank: I64, ts: I64, values: F64, labels: Sequence[Labels],
            ordered: bool) -> SeriesBlock:
    """Rows of the runs in the given order; a series begins where the rank changes."""
    ends = np.cumsum(run_size)
    total = int(ends[-1]) if len(ends) else 0
    index = np.repeat(run_start - (ends - run_size), run_size)
    index += np.arange(total)
    first = np.flatnonzero(np.concatenate(([True], run_rank[1:] != run_rank[:-1]))) if len(run_rank) else run_rank
    offsets = np.append((ends - run_size)[first], total).astype(np.int64)
    return SeriesBlock(list(labels), offsets, ts[index], values[index], ordered=ordered)


def _steps_within_series(block: SeriesBlock) -> I64:
    """Time from each sample to the next one of its series (1 where the next belongs to the next
    series): all positive when every series' samples are sorted and distinct."""
    steps: I64 = np.diff(block.timestamps)
    steps[block.offsets[1:-1] - 1] = 1
    return steps


def _sorted_by_time(block: SeriesBlock) -> SeriesBlock:
    series = np.repeat(np.arange(len(block), dtype=np.int64), np.diff(block.offsets))
    order = np.lexsort((block.timestamps, series))
    return SeriesBlock(block.labels, block.offsets, block.timestamps[order], block.values[order], block.ordered)
