"""``histogram_quantile`` over classic (``le``-labelled) bucket series.

Buckets are grouped by their labels without ``le``; at each step only the buckets present count.
Equal upper bounds written differently (``0.2``, ``2e-1``) are summed, and counts are made
monotonic (a bucket never holds fewer observations than a lower one) before interpolating
linearly inside the bucket where the rank falls — Prometheus 2.42's behaviour.
"""

from __future__ import annotations

import math

import numpy as np

from meshscope.promql.labels import METRIC_NAME, Labels, get
from meshscope.promql.source import F64
from meshscope.promql.values import BOOL, StepVector, merge_duplicates


def parse_le(text: str) -> float | None:
    """An ``le`` value as Go's ``strconv.ParseFloat`` reads it, or None when it is not a number."""
    if not text or any(c.isspace() or c == "_" for c in text):
        return None
    try:
        return float.fromhex(text) if text.lower().lstrip("+-").startswith("0x") else float(text)
    except ValueError:
        return None


def histogram_quantile(q: F64, vec: StepVector) -> StepVector:
    groups: dict[Labels, list[tuple[float, int]]] = {}
    for i, lbls in enumerate(vec.labels):
        bound = parse_le(get(lbls, "le"))
        if bound is not None:
            groups.setdefault(tuple(p for p in lbls if p[0] != "le"), []).append((bound, i))
    labels, values, present = [], [], []
    for key, members in groups.items():
        bounds, counts, there = _coalesce(members, vec)
        labels.append(tuple(p for p in key if p[0] != METRIC_NAME))
        values.append(_quantile(q, bounds, counts, there))
        present.append(there.any(axis=0))
    n = vec.values.shape[1]
    return merge_duplicates(StepVector(labels, np.array(values).reshape(-1, n),
                                       np.array(present, dtype=bool).reshape(-1, n)))


def _coalesce(members: list[tuple[float, int]], vec: StepVector) -> tuple[F64, F64, BOOL]:
    """Sorted unique bounds with the summed counts and presence of the rows sharing each bound."""
    members.sort()
    bounds = np.array(sorted({b for b, _ in members}))
    slot = np.searchsorted(bounds, [b for b, _ in members])
    rows = [i for _, i in members]
    counts = np.zeros((len(bounds), vec.values.shape[1]))
    there = np.zeros(counts.shape, dtype=bool)
    np.add.at(counts, slot, np.where(vec.present[rows], vec.values[rows], 0.0))
    np.logical_or.at(there, slot, vec.present[rows])
    return bounds, counts, there


def _quantile(q: F64, bounds: F64, counts: F64, there: BOOL) -> F64:
    n_buckets, n_steps = counts.shape
    index = np.arange(n_buckets)[:, None]
    monotonic = np.maximum.accumulate(np.where(there, counts, -np.inf), axis=0)
    last = np.max(np.where(there, index, -1), axis=0)  # last present bucket per step
    cols = np.arange(n_steps)
    total = monotonic[np.maximum(last, 0), cols]
    prev = np.vstack([np.full((1, n_steps), -1), np.maximum.accumulate(np.where(there, index, -1), axis=0)[:-1]])
    rank = q * total
    hit = there & (monotonic >= rank[None, :]) & (index < last[None, :])
    b = np.where(hit.any(axis=0), np.argmax(hit, axis=0), last)
    pb = prev[b, cols]
    start = np.where(pb >= 0, bounds[np.maximum(pb, 0)], 0.0)
    below = np.where(pb >= 0, monotonic[np.maximum(pb, 0), cols], 0.0)
    end = bounds[b]
    with np.errstate(all="ignore"):
        inside = start + (end - start) * ((rank - below) / (monotonic[b, cols] - below))
    result = np.where((pb < 0) & (end <= 0), end, inside)
    result = np.where(b == last, bounds[np.maximum(prev[np.maximum(last, 0), cols], 0)], result)
    count_present = there.sum(axis=0)
    invalid = (last < 0) | (bounds[np.maximum(last, 0)] != math.inf) | (count_present < 2) | (total == 0)
    result = np.where(invalid, np.nan, result)
    result = np.where(q < 0, -math.inf, np.where(q > 1, math.inf, result))
    return np.where(np.isnan(q), np.nan, result)
