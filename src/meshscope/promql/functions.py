"""Functions on instant vectors and scalars (everything except the range-vector functions).

Each function receives its evaluated arguments plus a :class:`CallInfo` (argument expressions and
the step times) and returns a value. Functions that change values drop the metric name, as in
Prometheus; rows that end up with equal labels are merged (or rejected when they collide).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from meshscope.promql import ast
from meshscope.promql.dates import DATE_PARTS
from meshscope.promql.histogram import histogram_quantile
from meshscope.promql.labelfuncs import label_join, label_replace
from meshscope.promql.labels import EMPTY, METRIC_NAME, Labels, drop_name, from_mapping
from meshscope.promql.source import I64
from meshscope.promql.values import ScalarSteps, StepVector, StringValue, steps_without_samples

Value = StepVector | ScalarSteps | StringValue


@dataclass(frozen=True)
class CallInfo:
    args: tuple[ast.Expr, ...]
    times: I64


InstantFunc = Callable[[Sequence[Value], CallInfo], Value]


def _vec(v: Value) -> StepVector:
    assert isinstance(v, StepVector)
    return v


def _scalar(v: Value) -> np.ndarray:
    assert isinstance(v, ScalarSteps)
    return v.values[None, :]


def _string(v: Value) -> str:
    assert isinstance(v, StringValue)
    return v.value


def map_values(vec: StepVector, fn: Callable[[np.ndarray], np.ndarray]) -> StepVector:
    """New values, metric name dropped; the shared shape of every math function."""
    return StepVector(vec.labels, fn(vec.values), vec.present).relabeled([drop_name(lb) for lb in vec.labels])


def _math(fn: Callable[[np.ndarray], np.ndarray]) -> InstantFunc:
    return lambda args, _: map_values(_vec(args[0]), fn)


def _round(args: Sequence[Value], _: CallInfo) -> Value:
    inverse = 1.0 / _scalar(args[1]) if len(args) > 1 else 1.0
    return map_values(_vec(args[0]), lambda v: np.floor(v * inverse + 0.5) / inverse)


def _clamp(args: Sequence[Value], _: CallInfo) -> Value:
    vec, low, high = _vec(args[0]), _scalar(args[1]), _scalar(args[2])
    out = map_values(vec, lambda v: np.maximum(low, np.minimum(high, v)))
    out.present = out.present & ~(high < low)  # an empty range yields nothing at that step
    return out


def _absent(args: Sequence[Value], info: CallInfo) -> Value:
    vec = _vec(args[0])
    missing = steps_without_samples(vec.present)
    return StepVector([absent_labels(info.args[0])], np.ones((1, len(info.times))), missing[None, :])


def absent_labels(expr: ast.Expr) -> Labels:
    """Labels of ``absent()``'s answer: the selector's equality matchers on names matched once."""
    expr = ast.unwrap_parens(expr)
    if isinstance(expr, ast.MatrixSelector):
        expr = expr.selector
    if not isinstance(expr, ast.VectorSelector):
        return EMPTY
    found: dict[str, str] = {}
    dropped: set[str] = set()
    for m in expr.matchers:
        if m.name == METRIC_NAME:
            continue
        if m.op == "=" and m.name not in found:
            found[m.name] = m.value
        else:
            dropped.add(m.name)
    return from_mapping({k: v for k, v in found.items() if k not in dropped})


def _scalar_of(args: Sequence[Value], _: CallInfo) -> Value:
    vec = _vec(args[0])
    single = vec.present.sum(axis=0) == 1
    value = np.where(vec.present, vec.values, 0.0).sum(axis=0) if len(vec) else np.zeros(vec.values.shape[1])
    return ScalarSteps(np.where(single, value, np.nan))


def _vector_of(args: Sequence[Value], info: CallInfo) -> Value:
    values = _scalar(args[0])
    return StepVector([EMPTY], values.copy(), np.ones(values.shape, dtype=bool))


def _sort(descending: bool) -> InstantFunc:
    def sort(args: Sequence[Value], _: CallInfo) -> Value:
        vec = _vec(args[0])
        if vec.values.shape[1] != 1:  # order only means something for an instant query
            return vec
        v = vec.values[:, 0]
        order = np.lexsort((-v if descending else v, np.isnan(v)))
        return vec.rows(order)
    return sort


def _date(part: Callable[[np.ndarray], np.ndarray]) -> InstantFunc:
    def date(args: Sequence[Value], info: CallInfo) -> Value:
        if not args:
            return StepVector([EMPTY], part(info.times[None, :] / 1000), np.ones((1, len(info.times)), bool))
        return map_values(_vec(args[0]), part)
    return date


def _empty(args: Sequence[Value], info: CallInfo) -> Value:
    """Native-histogram functions: classic float series yield nothing."""
    return StepVector.empty(len(info.times))


INSTANT_FUNCTIONS: dict[str, InstantFunc] = {
    "abs": _math(np.abs), "ceil": _math(np.ceil), "floor": _math(np.floor), "exp": _math(np.exp),
    "sqrt": _math(np.sqrt), "ln": _math(np.log), "log2": _math(np.log2), "log10": _math(np.log10),
    "sgn": _math(np.sign), "sin": _math(np.sin), "cos": _math(np.cos), "tan": _math(np.tan),
    "asin": _math(np.arcsin), "acos": _math(np.arccos), "atan": _math(np.arctan), "sinh": _math(np.sinh),
    "cosh": _math(np.cosh), "tanh": _math(np.tanh), "asinh": _math(np.arcsinh), "acosh": _math(np.arccosh),
    "atanh": _math(np.arctanh),
    "deg": _math(lambda v: v * 180 / math.pi), "rad": _math(lambda v: v * math.pi / 180),
    "round": _round, "clamp": _clamp,
    "clamp_min": lambda a, _: map_values(_vec(a[0]), lambda v: np.maximum(_scalar(a[1]), v)),
    "clamp_max": lambda a, _: map_values(_vec(a[0]), lambda v: np.minimum(_scalar(a[1]), v)),
    "absent": _absent, "scalar": _scalar_of, "vector": _vector_of,
    "time": lambda _, info: ScalarSteps(info.times / 1000),
    "pi": lambda _, info: ScalarSteps(np.full(len(info.times), math.pi)),
    "sort": _sort(False), "sort_desc": _sort(True),
    "histogram_quantile": lambda a, _: histogram_quantile(_scalar(a[0])[0], _vec(a[1])),
    "label_replace": lambda a, _: label_replace(_vec(a[0]), *(_string(x) for x in a[1:5])),
    "label_join": lambda a, _: label_join(_vec(a[0]), _string(a[1]), _string(a[2]), [_string(x) for x in a[3:]]),
    "histogram_count": _empty, "histogram_sum": _empty, "histogram_fraction": _empty,
    **{name: _date(part) for name, part in DATE_PARTS.items()},
}

