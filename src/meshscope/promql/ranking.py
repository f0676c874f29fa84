"""Order-based aggregations: ``topk``/``bottomk`` and ``quantile``, for all steps at once.

Present cells are flattened and sorted by (step, group, value) with one ``lexsort``; a cell's rank
is its distance from the start of its (step, group) run. NaN ranks last for ``topk``/``bottomk``
and first for ``quantile``, as Prometheus' heap and sort order put it.
"""

from __future__ import annotations

import numpy as np

from meshscope.promql.source import F64
from meshscope.promql.values import BOOL, StepVector


def _runs(cols: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index of the (step, group) run each sorted cell is in, and the run starts."""
    if len(cols) == 0:
        return cols, cols
    new = np.r_[True, (cols[1:] != cols[:-1]) | (groups[1:] != groups[:-1])]
    starts = np.flatnonzero(new)
    run_start = np.maximum.accumulate(np.where(new, np.arange(len(cols)), 0))
    return run_start, starts


def top_k(vec: StepVector, gid: np.ndarray, k: np.ndarray, largest: bool) -> StepVector:
    rows, cols = np.nonzero(vec.present)
    values = vec.values[rows, cols]
    nan = np.isnan(values)
    key = np.where(nan, 0.0, -values if largest else values)
    order = np.lexsort((rows, key, nan, gid[rows], cols))
    rows, cols = rows[order], cols[order]
    run_start, _ = _runs(cols, gid[rows])
    chosen = (np.arange(len(rows)) - run_start) < k[cols]
    present = np.zeros_like(vec.present)
    present[rows[chosen], cols[chosen]] = True
    out = StepVector(vec.labels, vec.values, present)
    if vec.values.shape[1] == 1:  # instant query: groups in order of appearance, best first
        return out.rows(rows[chosen])
    return out.without_empty_rows()


def quantile_per_group(vec: StepVector, gid: np.ndarray, n_groups: int, q: F64) -> tuple[F64, BOOL]:
    n_steps = vec.values.shape[1]
    rows, cols = np.nonzero(vec.present)
    values = vec.values[rows, cols]
    nan = np.isnan(values)
    order = np.lexsort((np.where(nan, 0.0, values), ~nan, gid[rows], cols))
    values, cols, groups = values[order], cols[order], gid[rows][order]
    _, starts = _runs(cols, groups)
    out = np.full((n_groups, n_steps), np.nan)
    present = np.zeros((n_groups, n_steps), dtype=bool)
    if len(starts) == 0:
        return out, present
    size = np.diff(np.r_[starts, len(values)])
    phi = q[cols[starts]]
    rank = phi * (size - 1)
    floor = np.floor(np.nan_to_num(rank))
    lower = np.clip(floor, 0, size - 1).astype(np.intp)
    upper = np.minimum(size - 1, lower + 1).astype(np.intp)
    weight = rank - floor
    result = values[starts + lower] * (1 - weight) + values[starts + upper] * weight
    result = np.where(phi < 0, -np.inf, np.where(phi > 1, np.inf, result))
    out[groups[starts], cols[starts]] = np.where(np.isnan(phi), np.nan, result)
    present[groups[starts], cols[starts]] = True
    return out, present
