"""Range vectors as windows over flat sample arrays.

A range vector at every step of a query is, for each series, a slice ``[lo, hi)`` of that series'
samples per step. We keep all samples of all series in two flat arrays and the window bounds as
``(series, steps)`` integer arrays, so a function like ``rate`` is a handful of numpy operations
over all windows at once instead of a Python loop per series and step. Window bounds for every
series come from a few whole-array passes (see :func:`locate`).

Prometheus 2.42 windows are closed on both ends: ``end - range <= ts <= end``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from meshscope.promql.labels import Labels
from meshscope.promql.sequential import Sequences
from meshscope.promql.source import F64, I64, SeriesBlock, is_stale
from meshscope.promql.values import BOOL, StepVector


def locate(ts: I64, offsets: I64, queries: I64, side: str) -> I64:
    """``searchsorted`` of every query time in every series: shape (series, queries), flat indices.

    ``side="right"`` gives one past the last sample ``<= q``; ``"left"`` the first sample ``>= q``.
    All series share the (sorted) query times, so instead of a binary search per (series, query)
    we place each sample among the few query times, count samples per (series, query) slot and
    accumulate: O(samples) with a small, cache-resident search table.
    """
    n_series, n_queries = len(offsets) - 1, len(queries)
    if n_queries > 1 and (np.diff(queries) < 0).any():
        order = np.argsort(queries, kind="stable")
        out = np.empty((n_series, n_queries), dtype=np.int64)
        out[:, order] = locate(ts, offsets, queries[order], side)
        return out
    if n_series == 0 or len(ts) == 0:
        return np.broadcast_to(offsets[:-1, None], (n_series, n_queries)).copy()
    slot = _first_query(queries, ts, side)
    slot += np.repeat(np.arange(0, n_series * (n_queries + 1), n_queries + 1, dtype=np.int64), np.diff(offsets))
    slots = np.bincount(slot, minlength=n_series * (n_queries + 1))
    counted = np.cumsum(slots.reshape(n_series, n_queries + 1)[:, :n_queries], axis=1)
    counted += offsets[:-1, None]
    return counted


def _first_query(queries: I64, ts: I64, side: str) -> I64:
    """Per sample, the first query it counts for (``q >= ts`` for "right", ``q > ts`` for "left").
    Step grids are arithmetic progressions, so this is integer arithmetic rather than a search."""
    step = int(queries[1] - queries[0]) if len(queries) > 1 else 0
    if step > 0 and (np.diff(queries) == step).all():
        # ceil((ts - q0) / step) for "right", floor((ts - q0) / step) + 1 for "left", in place
        slot = ts - (int(queries[0]) - (step - 1 if side == "right" else step))
        slot //= step
        return np.clip(slot, 0, len(queries), out=slot)
    found: I64 = np.searchsorted(queries, ts, side="left" if side == "right" else "right")
    return found


def drop_stale(block: SeriesBlock) -> SeriesBlock:
    """The block without staleness markers (range vectors never contain them)."""
    stale = is_stale(block.values)
    if not stale.any():
        return block
    kept = np.concatenate([[0], np.cumsum(~stale)])
    return SeriesBlock(block.labels, kept[block.offsets], block.timestamps[~stale], block.values[~stale])


@dataclass
class Windows:
    """For each series and step, the samples in ``[end_ms - range_ms, end_ms]``.

    ``end_ms`` is the window end per step (step time, or the ``@`` time, minus the offset);
    ``step_times`` are the evaluation times themselves (``predict_linear`` needs them).
    """

    labels: list[Labels]
    ts: I64
    vals: F64
    offsets: I64
    lo: I64
    hi: I64
    end_ms: I64
    range_ms: int
    step_times: I64

    @staticmethod
    def build(block: SeriesBlock, end_ms: I64, range_ms: int, step_times: I64) -> Windows:
        block = drop_stale(block)
        ts, offsets = block.timestamps, block.offsets
        ends = np.unique(end_ms)
        if len(ends) == 1:  # @-pinned: one window per series, shared by every step
            lo = locate(ts, offsets, ends - range_ms, "left")
            hi = locate(ts, offsets, ends, "right")
            shape = (len(offsets) - 1, len(end_ms))
            lo, hi = np.broadcast_to(lo, shape), np.broadcast_to(hi, shape)
        else:
            lo = locate(ts, offsets, end_ms - range_ms, "left")
            hi = locate(ts, offsets, end_ms, "right")
        return Windows(list(block.labels), ts, block.values, offsets, lo, hi, end_ms, range_ms, step_times)

    @staticmethod
    def from_steps(vec: StepVector, times: I64, end_ms: I64, range_ms: int, step_times: I64) -> Windows:
        """Windows over the points of a subquery's inner evaluation."""
        rows, cols = np.nonzero(vec.present)
        offsets = np.concatenate([[0], np.cumsum(vec.present.sum(axis=1))]).astype(np.int64)
        block = SeriesBlock(vec.labels, offsets, times[cols].astype(np.int64), vec.values[rows, cols])
        return Windows.build(block, end_ms, range_ms, step_times)

    @cached_property
    def count(self) -> I64:
        return self.hi - self.lo

    @cached_property
    def sequences(self) -> Sequences:
        """Every window as a sequence of flat sample indices, for order-dependent folds."""
        return Sequences(self.lo.ravel(), self.count.ravel())

    @cached_property
    def has_prev(self) -> BOOL:
        """Whether each flat sample has a predecessor in the same series."""
        mask = np.ones(len(self.ts), dtype=bool)
        starts = self.offsets[:-1][self.offsets[:-1] < len(self.ts)]
        mask[starts] = False
        if len(mask):
            mask[0] = False
        return mask

    def at(self, index: I64, arr: F64 | I64, valid: BOOL) -> F64:
        """``arr[index]`` where ``valid``, NaN elsewhere (index may be out of range there)."""
        if len(arr) == 0:
            return np.full(index.shape, np.nan)
        return np.where(valid, arr[np.where(valid, index, 0)], np.nan)

    def window_count(self, flags: np.ndarray, skip_first: bool = False) -> F64:
        """How many ``flags`` are set in each window (exact, O(windows) via a running count)."""
        running = np.concatenate([[0], np.cumsum(flags, dtype=np.int64)])
        lo = self.lo + 1 if skip_first else self.lo
        counts: F64 = np.maximum(running[self.hi] - running[np.minimum(lo, self.hi)], 0).astype(np.float64)
        return counts

    def window_sum(self, per_sample: F64, skip_first: bool = False) -> F64:
        """Sum of ``per_sample`` over each window (optionally leaving out its first sample)."""
        return self.window_reduce(np.add, per_sample, 0.0, skip_first)

    def window_reduce(self, ufunc: np.ufunc, per_sample: F64, empty: float, skip_first: bool = False) -> F64:
        lo = (self.lo + 1 if skip_first else self.lo).ravel()
        hi = self.hi.ravel()
        if len(per_sample) == 0 or len(lo) == 0:
            return np.full(self.lo.shape, empty)
        padded = np.append(per_sample, empty)
        idx = np.empty(2 * len(lo), dtype=np.int64)
        idx[0::2], idx[1::2] = np.minimum(lo, len(per_sample)), hi
        out = ufunc.reduceat(padded, idx)[0::2]
        return np.where(lo < hi, out, empty).reshape(self.lo.shape)

    def gather(self, min_count: int = 1, chosen: I64 | None = None,
               max_cells: int = 1 << 22) -> Iterator[tuple[I64, F64, I64, BOOL]]:
        """Windows with at least ``min_count`` samples (or the flat window indices ``chosen``) as
        padded (window, sample) matrices, in chunks of about ``max_cells`` cells.

        Yields ``(flat window indices, values, timestamps, mask)``; padding cells are masked out.
        """
        count = self.count.ravel()
        if chosen is None:
            chosen = np.flatnonzero(count >= max(min_count, 1))
        chosen = chosen[count[chosen] > 0]
        if len(chosen) == 0:
            return
        lo = self.lo.ravel()[chosen]
        width = int(count[chosen].max())
        chunk = max(1, max_cells // width)
        for a in range(0, len(chosen), chunk):
            c = count[chosen[a:a + chunk]]
            w = int(c.max())
            cols = np.arange(w)
            mask = cols[None, :] < c[:, None]
            idx = np.where(mask, lo[a:a + chunk, None] + cols[None, :], 0)
            yield chosen[a:a + chunk], self.vals[idx], self.ts[idx], mask
