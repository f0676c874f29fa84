"""Binary operators: arithmetic, comparisons (with and without ``bool``), ``and``/``or``/``unless``.

Vector matching is done once per pair of series (labels do not change between steps) and the
operator then runs over all steps of all matched pairs as one numpy expression. Cardinality errors
are checked per step, as Prometheus does, and worded like Prometheus.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from meshscope.promql import ast
from meshscope.promql.errors import EvaluationError
from meshscope.promql.labels import METRIC_NAME, Labels, drop, drop_name, format_labels, get, keep, with_label
from meshscope.promql.values import ScalarSteps, StepVector, merge_duplicates, steps_without_samples

Operand = StepVector | ScalarSteps
ARITHMETIC: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "%": np.fmod, "^": np.power,
    "atan2": np.arctan2,
}
COMPARISON: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "==": np.equal, "!=": np.not_equal, ">": np.greater, "<": np.less, ">=": np.greater_equal,
    "<=": np.less_equal,
}
SET_OPERATORS = frozenset({"and", "or", "unless"})
_DROPS_NAME = frozenset({"+", "-", "*", "/", "%", "^"})  # not atan2, not comparisons


def evaluate(node: ast.Binary, lhs: Operand, rhs: Operand) -> Operand:
    if isinstance(lhs, ScalarSteps) and isinstance(rhs, ScalarSteps):
        value, _ = _apply(node.op, lhs.values, rhs.values)
        return ScalarSteps(value)
    if isinstance(lhs, StepVector) and isinstance(rhs, StepVector):
        if node.op in SET_OPERATORS:
            return set_operation(node.op, lhs, rhs, node.matching)
        return vector_vector(node, lhs, rhs)
    return vector_scalar(node, lhs, rhs)


def _apply(op: str, left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value, keep) of ``left op right``; comparisons give 1/0 values and their truth as keep."""
    if op in ARITHMETIC:
        value = ARITHMETIC[op](left, right)
        return value, np.ones(value.shape, dtype=bool)
    truth = COMPARISON[op](left, right)
    return truth.astype(np.float64), truth


def vector_scalar(node: ast.Binary, lhs: Operand, rhs: Operand) -> StepVector:
    vec = lhs if isinstance(lhs, StepVector) else rhs
    assert isinstance(vec, StepVector)
    left = lhs.values if isinstance(lhs, StepVector) else lhs.values[None, :]
    right = rhs.values if isinstance(rhs, StepVector) else rhs.values[None, :]
    value, kept = _apply(node.op, left, right)
    present = vec.present
    if node.op in COMPARISON and not node.return_bool:
        value, present = vec.values, present & kept  # filter, keeping the vector's own value
    labels = vec.labels
    if node.op in _DROPS_NAME or node.return_bool:
        labels = [drop_name(lb) for lb in labels]
    return merge_duplicates(StepVector(labels, value, present))


def _signature(matching: ast.VectorMatching | None) -> Callable[[Labels], Labels]:
    if matching is not None and matching.on:
        names = frozenset(matching.labels)
        return lambda lb: keep(lb, names)
    ignored = frozenset(matching.labels if matching else ()) | {METRIC_NAME}
    return lambda lb: drop(lb, ignored)


def _presence_by_signature(vec: StepVector, sigs: list[Labels], index: dict[Labels, int]) -> np.ndarray:
    out = np.zeros((len(index) + 1, vec.values.shape[1]), dtype=bool)  # last row: "no such signature"
    rows = np.array([index.get(s, len(index)) for s in sigs], dtype=np.intp)
    np.logical_or.at(out, rows, vec.present)
    out[-1] = False
    return out


def set_operation(op: str, lhs: StepVector, rhs: StepVector, matching: ast.VectorMatching | None) -> StepVector:
    sig = _signature(matching)
    lsig, rsig = [sig(lb) for lb in lhs.labels], [sig(lb) for lb in rhs.labels]
    index = {s: i for i, s in enumerate(dict.fromkeys(lsig + rsig))}
    if op == "or":
        lhs_has = _presence_by_signature(lhs, lsig, index)
        extra = rhs.present & ~lhs_has[[index[s] for s in rsig]] if len(rhs) else rhs.present
        merged = StepVector(lhs.labels + rhs.labels, np.vstack([lhs.values, rhs.values]),
                            np.vstack([lhs.present, extra]))
        return merge_duplicates(merged.without_empty_rows())
    rhs_has = _presence_by_signature(rhs, rsig, index)
    matched = rhs_has[[index[s] for s in lsig]] if len(lhs) else lhs.present
    present = lhs.present & (matched if op == "and" else ~matched)
    return StepVector(lhs.labels, lhs.values, present).without_empty_rows()


def vector_vector(node: ast.Binary, lhs: StepVector, rhs: StepVector) -> StepVector:
    matching = node.matching or ast.VectorMatching("one-to-one", False, ())
    swap = matching.card == "one-to-many"
    many, one = (rhs, lhs) if swap else (lhs, rhs)
    sig = _signature(matching)
    many_sig, one_sig = [sig(lb) for lb in many.labels], [sig(lb) for lb in one.labels]
    # Prometheus skips a step where either side is empty, duplicates or not.
    active = ~steps_without_samples(lhs.present) & ~steps_without_samples(rhs.present)
    _check_one_side(one, one_sig, active, "left" if swap else "right")
    by_sig: dict[Labels, list[int]] = {}
    for j, s in enumerate(one_sig):
        by_sig.setdefault(s, []).append(j)
    pairs = [(i, j) for i, s in enumerate(many_sig) for j in by_sig.get(s, ())]
    n = lhs.values.shape[1]
    if not pairs:
        return StepVector.empty(n)
    mi, oi = (np.array(x, dtype=np.intp) for x in zip(*pairs, strict=True))
    left, right = (one.values[oi], many.values[mi]) if swap else (many.values[mi], one.values[oi])
    value, kept = _apply(node.op, left, right)
    present = many.present[mi] & one.present[oi]
    if node.op in COMPARISON and not node.return_bool:
        value, present = left, present & kept
    labels = [_result_labels(many.labels[i], one.labels[j], node, matching) for i, j in pairs]
    _check_matches(present, [many_sig[i] for i in mi], labels, matching)
    return merge_duplicates(StepVector(labels, value, present).without_empty_rows())


def _result_labels(many: Labels, one: Labels, node: ast.Binary, matching: ast.VectorMatching) -> Labels:
    out = drop_name(many) if node.op in _DROPS_NAME or node.return_bool else many
    if matching.card == "one-to-one":
        names = frozenset(matching.labels)
        out = keep(out, names) if matching.on else drop(out, names)
    for name in matching.include:
        out = with_label(out, name, get(one, name))
    return out


def _check_one_side(one: StepVector, sigs: list[Labels], active: np.ndarray, side: str) -> None:
    rows: dict[Labels, list[int]] = {}
    for j, s in enumerate(sigs):
        rows.setdefault(s, []).append(j)
    for s, members in rows.items():
        if len(members) < 2:
            continue
        both = one.present[members]
        clash = np.flatnonzero((both.sum(axis=0) > 1) & active)
        if len(clash):
            first, second = [members[k] for k in np.flatnonzero(both[:, clash[0]])[:2]]
            raise EvaluationError(
                f"found duplicate series for the match group {format_labels(s)} on the {side} hand-side of "
                f"the operation: [{format_labels(one.labels[second])}, {format_labels(one.labels[first])}]"
                ";many-to-many matching not allowed: matching labels must be unique on one side")


def _check_matches(present: np.ndarray, sigs: list[Labels], labels: list[Labels],
                   matching: ast.VectorMatching) -> None:
    one_to_one = matching.card == "one-to-one"
    keys = sigs if one_to_one else list(zip(sigs, labels, strict=True))
    index: dict[object, int] = {}
    ids = np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.intp)
    counts = np.zeros((len(index), present.shape[1]), dtype=np.int64)
    np.add.at(counts, ids, present)
    if (counts > 1).any():
        raise EvaluationError("multiple matches for labels: many-to-one matching must be explicit "
                              "(group_left/group_right)" if one_to_one else
                              "multiple matches for labels: grouping labels must ensure unique matches")
