"""Order-based aggregations: ``topk``/``bottomk`` and ``quantile``.

An instant query ranks its cells with one sort keyed by (group, value), which keeps Prometheus'
output order (groups in order of appearance, best first). A range query ranks each group's
rows at all steps at once with ``argpartition``/``sort`` along the series axis. NaN ranks last
for ``topk``/``bottomk`` and first for ``quantile``, as Prometheus' heap and sort order put it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from meshscope.promql.overtime import quantile_rows
from meshscope.promql.source import F64
from meshscope.promql.values import BOOL, StepVector


def top_k(vec: StepVector, members: Sequence[np.ndarray], k: np.ndarray, largest: bool) -> StepVector:
    """The ``k`` (per step) largest or smallest samples of each group, keeping their labels."""
    key = np.where(vec.present, np.where(np.isnan(vec.values), np.inf, -vec.values if largest else vec.values),
                   np.nan)  # NaN samples after every number, absent cells after everything
    if vec.values.shape[1] == 1:
        return _top_k_instant(vec, members, key[:, 0], int(k[0]))
    present = np.zeros_like(vec.present)
    for rows in members:
        block = key[rows]
        for kk in np.unique(k):
            cols = np.flatnonzero(k == kk)
            if kk < 1:
                continue
            if kk >= len(rows):
                present[np.ix_(rows, cols)] = vec.present[np.ix_(rows, cols)]
                continue
            best = np.argpartition(block[:, cols], kk - 1, axis=0)[:kk]
            present[rows[best], cols[None, :]] = True
    present &= vec.present
    return StepVector(vec.labels, vec.values, present).without_empty_rows()


def _top_k_instant(vec: StepVector, members: Sequence[np.ndarray], key: F64, k: int) -> StepVector:
    chosen: list[int] = []
    for rows in members:
        rows = rows[vec.present[rows, 0]]
        ordered = rows[np.argsort(key[rows], kind="stable")]
        chosen.extend(ordered[:max(k, 0)].tolist())
    return vec.rows(chosen)


def quantile_per_group(vec: StepVector, members: Sequence[np.ndarray], q: F64) -> tuple[F64, BOOL]:
    values = np.full((len(members), vec.values.shape[1]), np.nan)
    present = np.zeros(values.shape, dtype=bool)
    for g, rows in enumerate(members):
        mask = vec.present[rows]
        values[g] = quantile_rows(q, vec.values[rows].T, mask.T)
        present[g] = mask.any(axis=0)
    return values, present
