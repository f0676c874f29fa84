"""Vector aggregations (``sum by (x)``, ``topk``...) over step-aligned series, step by step in numpy."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from meshscope.errors import ExecutionError
from meshscope.logql import metric_ast as m
from meshscope.logql.cursor import go_regex
from meshscope.logql.series import Labels, Matrix

Reduce = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (values G×N with NaN→0, present mask) → N


def group_labels(labels: Labels, grouping: m.Grouping | None) -> Labels:
    if grouping is None:
        return ()
    names = set(grouping.labels)
    if grouping.without:
        return tuple((k, v) for k, v in labels if k not in names)
    return tuple((k, v) for k, v in labels if k in names)


def _count(v: np.ndarray, p: np.ndarray) -> np.ndarray:
    result: np.ndarray = p.sum(axis=0).astype(float)
    return result


def _mean(v: np.ndarray, p: np.ndarray) -> np.ndarray:
    n = _count(v, p)
    result: np.ndarray = np.divide(v.sum(axis=0), n, out=np.zeros(v.shape[1]), where=n > 0)
    return result


def _var(v: np.ndarray, p: np.ndarray) -> np.ndarray:
    n = _count(v, p)
    mean = _mean(v, p)
    sq = np.where(p, (v - mean) ** 2, 0.0).sum(axis=0)
    result: np.ndarray = np.divide(sq, n, out=np.zeros(v.shape[1]), where=n > 0)
    return result


REDUCERS: dict[str, Reduce] = {
    "sum": lambda v, p: v.sum(axis=0),
    "count": _count,
    "avg": _mean,
    "min": lambda v, p: np.where(p, v, np.inf).min(axis=0),
    "max": lambda v, p: np.where(p, v, -np.inf).max(axis=0),
    "stdvar": _var,
    "stddev": lambda v, p: np.sqrt(_var(v, p)),
}


def aggregate(node: m.VectorAggregation, inner: Matrix) -> Matrix:
    groups: dict[Labels, list[Labels]] = {}
    for labels in inner.series:
        groups.setdefault(group_labels(labels, node.grouping), []).append(labels)
    if node.op in ("sort", "sort_desc"):
        return Matrix(inner.grid, dict(inner.series), 1 if node.op == "sort" else -1)
    if node.op in ("topk", "bottomk", "approx_topk"):  # approx_topk: the exact answer is within its bounds
        return _ranked(node, inner, groups)
    out = Matrix(inner.grid)
    reduce = REDUCERS[node.op]
    for key, members in groups.items():
        stacked = np.vstack([inner.series[lb] for lb in members])
        present = ~np.isnan(stacked)
        values = reduce(np.where(present, stacked, 0.0), present)
        out.series[key] = np.where(present.any(axis=0), values, np.nan)
    return out


def _ranked(node: m.VectorAggregation, inner: Matrix, groups: dict[Labels, list[Labels]]) -> Matrix:
    """``topk``/``bottomk``: per step and group, the k largest (smallest) keep their labels."""
    k = int(node.param or 1)
    out = Matrix(inner.grid)
    for members in groups.values():
        stacked = np.vstack([inner.series[lb] for lb in members])
        top = node.op != "bottomk"
        keyed = np.where(np.isnan(stacked), -np.inf if top else np.inf, stacked)
        order = np.argsort(-keyed if top else keyed, axis=0, kind="stable")
        chosen = np.zeros_like(stacked, dtype=bool)
        np.put_along_axis(chosen, order[:k], True, axis=0)
        chosen &= ~np.isnan(stacked)
        for i, labels in enumerate(members):
            if chosen[i].any():
                out.series[labels] = np.where(chosen[i], stacked[i], np.nan)
    return out


def label_replace(node: m.LabelReplace, inner: Matrix) -> Matrix:
    """Prometheus' ``label_replace``: a full match of ``regex`` on ``src`` sets ``dst`` (empty removes it)."""
    rx = re.compile(go_regex(node.regex))
    out = Matrix(inner.grid)
    for labels, values in inner.series.items():
        found = dict(labels)
        match = rx.fullmatch(found.get(node.src, ""))
        if match:
            value = match.expand(re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", node.replacement))
            if value:
                found[node.dst] = value
            else:
                found.pop(node.dst, None)
        key = tuple(sorted(found.items()))
        if key in out.series:
            if (~np.isnan(out.series[key]) & ~np.isnan(values)).any():
                raise ExecutionError("vector cannot contain metrics with the same labelset")
            values = np.where(np.isnan(values), out.series[key], values)
        out.series[key] = values
    return out
