"""Runs one :class:`EvalCase` against the engine the way Prometheus' own test harness does.

For ``eval instant`` the query also runs (1) with every top-level selector and subquery pinned by
``@ <eval time>`` at several other evaluation times, unless it uses a clock-dependent function,
and (2) as a range query from t-1m to t+1m whose middle step must give the same answer.
Values compare with a relative tolerance of 1e-6, NaN equals NaN, and order only counts for
``eval_ordered``.
"""

from __future__ import annotations

import math
import sys
from dataclasses import replace

from meshscope.promql import ast
from meshscope.promql.engine import Engine
from meshscope.promql.errors import PromQLError
from meshscope.promql.memory import MemorySource
from meshscope.promql.parse import parse_query
from meshscope.promql.values import Matrix, QueryValue, Scalar, Vector
from promql.promqltest import EvalCase, Labels

EPSILON = 1e-6
MIN_NORMAL = sys.float_info.min
AT_UNSAFE = frozenset({"days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute",
                       "month", "year", "predict_linear", "time", "timestamp"})


def almost_equal(a: float, b: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    if a == b:
        return True
    diff = abs(a - b)
    if a == 0 or b == 0 or diff < MIN_NORMAL:
        return diff < EPSILON * MIN_NORMAL
    return diff / (abs(a) + abs(b)) < EPSILON


def source_for(case: EvalCase) -> MemorySource:
    source = MemorySource()
    for labels, samples in case.data.items():
        source.add(labels, [t for t, _ in samples], [v for _, v in samples])
    return source


def run_case(case: EvalCase, source: MemorySource) -> None:
    engine = Engine(source)
    if case.range_ms is not None:
        return _run_range(case, engine)
    try:
        expr = parse_query(case.expr)
    except PromQLError as exc:
        if case.fail:
            return _check_message(case, exc)
        raise
    for variant, at in [(expr, case.time_ms), *at_modifier_variants(expr, case.time_ms)]:
        try:
            result = engine.instant(variant, at)
        except PromQLError as exc:
            if case.fail:
                _check_message(case, exc)
                continue
            raise AssertionError(f"error evaluating {case.expr!r} at {at}: {exc}") from exc
        if case.fail:
            raise AssertionError(f"expected an error evaluating {case.expr!r} at {at}, got {result}")
        compare(case, result, f"instant at {at}")
        matrix = engine.range(variant, at - 60_000, at + 60_000, 60_000)
        if not case.ordered:
            compare(case, _middle(matrix, at, isinstance(result, Scalar)), f"range mode at {at}")


def _check_message(case: EvalCase, exc: Exception) -> None:
    if case.fail_message is not None and case.fail_message not in str(exc):
        raise AssertionError(f"expected error {case.fail_message!r}, got {exc}")


def _middle(matrix: Matrix, at: int, scalar: bool) -> QueryValue:
    from meshscope.promql.values import Sample
    samples = []
    for s in matrix.series:
        hits = [i for i, t in enumerate(s.timestamps) if t == at]
        if hits:
            samples.append(Sample(s.labels, at, float(s.values[hits[0]])))
    if scalar:
        return Scalar(at, samples[0].value)
    return Vector(tuple(samples))


def at_modifier_variants(expr: ast.Expr, t: int) -> list[tuple[ast.Expr, int]]:
    """The extra (query, eval time) pairs Prometheus' harness derives by pinning selectors at ``t``."""
    if _uses_unsafe_function(expr):
        return []

    def pin(node: ast.Expr) -> ast.Expr | None:
        if isinstance(node, ast.Subquery):
            return node if node.at is not None else replace(node, at=ast.At(time_ms=t))
        if isinstance(node, ast.VectorSelector):
            return node if node.at is not None else replace(node, at=ast.At(time_ms=t))
        if isinstance(node, ast.MatrixSelector):
            return replace(node, selector=pin(node.selector))  # type: ignore[arg-type]
        return None

    pinned = ast.transform(expr, pin)
    times = [0, -1000, 1000] if t == 0 else [-10 * t, 0, t // 5, t, 10 * t]
    return [(pinned, at) for at in times]


def _uses_unsafe_function(expr: ast.Expr) -> bool:
    if isinstance(expr, ast.Subquery):
        return False  # the harness does not look inside subqueries it pins
    if isinstance(expr, ast.Call) and expr.func in AT_UNSAFE:
        return True
    return any(_uses_unsafe_function(child) for child in ast.children(expr))


def compare(case: EvalCase, result: QueryValue, mode: str) -> None:
    where = f"{case.id} ({mode}) {case.expr}"
    if isinstance(result, Scalar):
        expected = case.expected[0][1][0] if case.expected else None
        assert expected is not None and almost_equal(expected, result.value), \
            f"{where}: expected scalar {expected}, got {result.value}"
        return
    assert isinstance(result, Vector), f"{where}: unexpected result type {type(result).__name__}"
    wanted: dict[Labels, tuple[int, float]] = {}
    for pos, (labels, values) in enumerate(case.expected):
        assert values[0] is not None
        wanted[labels or ()] = (pos, values[0])
    for pos, sample in enumerate(result.samples):
        assert sample.labels in wanted, f"{where}: unexpected metric {sample.labels} in result"
        exp_pos, exp_value = wanted[sample.labels]
        if case.ordered:
            assert exp_pos == pos, f"{where}: {sample.labels} at position {pos + 1}, expected {exp_pos + 1}"
        assert almost_equal(exp_value, sample.value), \
            f"{where}: expected {exp_value} for {sample.labels}, got {sample.value}"
    got = {s.labels for s in result.samples}
    missing = [lb for lb in wanted if lb not in got]
    assert not missing, f"{where}: expected metrics {missing} not found in {result.samples}"


def _run_range(case: EvalCase, engine: Engine) -> None:
    assert case.range_ms is not None
    start, end, step = case.range_ms
    try:
        matrix = engine.range(case.expr, start, end, step)
    except PromQLError as exc:
        if case.fail:
            return _check_message(case, exc)
        raise
    assert not case.fail, f"{case.id}: expected an error, got {matrix}"
    times = list(range(start, end + 1, step))
    got = {s.labels: dict(zip(s.timestamps.tolist(), s.values.tolist(), strict=True)) for s in matrix.series}
    wanted = {labels or (): {t: v for t, v in zip(times, values, strict=True) if v is not None}
              for labels, values in case.expected}
    assert set(got) == set(wanted), f"{case.id}: series {sorted(got)} != expected {sorted(wanted)}"
    for labels, points in wanted.items():
        assert set(got[labels]) == set(points), f"{case.id}: {labels} steps {sorted(got[labels])} != {sorted(points)}"
        for t, v in points.items():
            assert almost_equal(v, got[labels][t]), f"{case.id}: {labels} at {t}: expected {v}, got {got[labels][t]}"
