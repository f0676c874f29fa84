"""Binary operations: scalar/scalar, vector/scalar and vector/vector with Prometheus matching rules."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from meshscope.errors import ExecutionError
from meshscope.logql import metric_ast as m
from meshscope.logql.series import Labels, Matrix, Scalar, Value

Op = Callable[[np.ndarray, np.ndarray], np.ndarray]

ARITHMETIC: dict[str, Op] = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "%": np.fmod, "^": np.power,
}
COMPARE: dict[str, Op] = {
    "==": np.equal, "!=": np.not_equal, ">": np.greater, ">=": np.greater_equal, "<": np.less, "<=": np.less_equal,
}


def _apply(node: m.BinaryOp, lhs: np.ndarray, rhs: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``op`` elementwise; comparisons filter (keep ``keep``'s value) or give 0/1 with ``bool``."""
    with np.errstate(all="ignore"):
        if node.op in ARITHMETIC:
            return np.asarray(ARITHMETIC[node.op](lhs, rhs), dtype=float)
        result = COMPARE[node.op](lhs, rhs)
        missing = np.isnan(lhs) | np.isnan(rhs)
        if node.bool_modifier:
            return np.where(missing, np.nan, result.astype(float))
        return np.where(result & ~missing, keep, np.nan)


def binary(node: m.BinaryOp, lhs: Value, rhs: Value) -> Value:
    if isinstance(lhs, Scalar) and isinstance(rhs, Scalar):
        if node.op in COMPARE and not node.bool_modifier:
            raise ExecutionError("comparisons between scalars must use BOOL modifier")
        value = _apply(node, np.array([lhs.value]), np.array([rhs.value]), np.array([lhs.value]))
        return Scalar(float(value[0]))
    if node.op in m.SET_OPS:
        if not isinstance(lhs, Matrix) or not isinstance(rhs, Matrix):
            raise ExecutionError(f"set operator {node.op} not allowed in binary scalar expression")
        return _set_op(node, lhs, rhs)
    if isinstance(lhs, Scalar) and isinstance(rhs, Matrix):
        return _map(rhs, lambda v: _apply(node, np.full_like(v, lhs.value), v, v))
    if isinstance(lhs, Matrix) and isinstance(rhs, Scalar):
        return _map(lhs, lambda v: _apply(node, v, np.full_like(v, rhs.value), v))
    assert isinstance(lhs, Matrix) and isinstance(rhs, Matrix)
    return _vectors(node, lhs, rhs)


def _map(matrix: Matrix, fn: Callable[[np.ndarray], np.ndarray]) -> Matrix:
    return Matrix(matrix.grid, {labels: fn(values) for labels, values in matrix.series.items()})


def match_key(labels: Labels, matching: m.VectorMatching | None) -> Labels:
    if matching is None:
        return labels
    names = set(matching.labels)
    if matching.on:
        return tuple((k, v) for k, v in labels if k in names)
    return tuple((k, v) for k, v in labels if k not in names)


def _one_side(matrix: Matrix, matching: m.VectorMatching | None, side: str) -> dict[Labels, tuple[Labels, np.ndarray]]:
    """The ``one`` side indexed by matching key; two series with one key at one step is an error."""
    out: dict[Labels, tuple[Labels, np.ndarray]] = {}
    for labels, values in matrix.series.items():
        key = match_key(labels, matching)
        if key in out:
            prev_labels, prev = out[key]
            if (~np.isnan(prev) & ~np.isnan(values)).any():
                raise ExecutionError(f"found duplicate series for the match group {dict(key)} on the {side} "
                                     "hand-side of the operation; many-to-many matching not allowed: matching "
                                     "labels must be unique on one side")
            out[key] = (prev_labels, np.where(np.isnan(prev), values, prev))
        else:
            out[key] = (labels, values)
    return out


def _result_labels(many: Labels, one: Labels, matching: m.VectorMatching | None) -> Labels:
    if matching is None:
        return many
    if not matching.group:
        return match_key(many, matching)
    extra = dict(many)
    one_map = dict(one)
    for name in matching.include:
        if name in one_map:
            extra[name] = one_map[name]
        else:
            extra.pop(name, None)
    return tuple(sorted(extra.items()))


def _vectors(node: m.BinaryOp, lhs: Matrix, rhs: Matrix) -> Matrix:
    group_right = node.matching is not None and node.matching.group == "right"
    many, one = (rhs, lhs) if group_right else (lhs, rhs)
    one_index = _one_side(one, node.matching, "right" if not group_right else "left")
    if node.matching is None or not node.matching.group:
        _one_side(many, node.matching, "left")
    out = Matrix(lhs.grid)
    for labels, values in many.series.items():
        found = one_index.get(match_key(labels, node.matching))
        if found is None:
            continue
        one_labels, other = found
        left, right = (other, values) if group_right else (values, other)
        result = _apply(node, left, right, left)
        key = _result_labels(labels, one_labels, node.matching)
        if key in out.series and (~np.isnan(out.series[key]) & ~np.isnan(result)).any():
            raise ExecutionError("multiple matches for labels: grouping labels must ensure unique matches")
        out.series[key] = result if key not in out.series else np.where(np.isnan(result), out.series[key], result)
    return out


def _set_op(node: m.BinaryOp, lhs: Matrix, rhs: Matrix) -> Matrix:
    present: dict[Labels, np.ndarray] = {}
    for labels, values in rhs.series.items():
        key = match_key(labels, node.matching)
        present[key] = present.get(key, np.zeros(values.size, dtype=bool)) | ~np.isnan(values)
    none = np.zeros(lhs.grid.size, dtype=bool)
    out = Matrix(lhs.grid)
    for labels, values in lhs.series.items():
        hit = present.get(match_key(labels, node.matching), none)
        if node.op == "and":
            out.series[labels] = np.where(hit, values, np.nan)
        elif node.op == "unless":
            out.series[labels] = np.where(hit, np.nan, values)
        else:
            out.series[labels] = values
    if node.op == "or":
        left_present: dict[Labels, np.ndarray] = {}
        for labels, values in lhs.series.items():
            key = match_key(labels, node.matching)
            left_present[key] = left_present.get(key, none) | ~np.isnan(values)
        for labels, values in rhs.series.items():
            hit = left_present.get(match_key(labels, node.matching), none)
            if labels not in out.series:
                out.series[labels] = np.where(hit, np.nan, values)
    return out
