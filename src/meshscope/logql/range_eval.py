"""Range aggregations (``count_over_time``, ``rate``, ``*_over_time`` with ``unwrap``) → a Matrix.

Counting functions over selector + line-filter queries run entirely in ClickHouse: lines are
counted per stream in buckets of ``gcd(step, range)`` and windows are sums of whole buckets, so
the result equals the per-line evaluation. Everything else fetches lines, runs the pipeline in
Python and reduces each window with numpy.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from meshscope.errors import ExecutionError
from meshscope.logql import metric_ast as m
from meshscope.logql.context import QueryContext
from meshscope.logql.label_sql import label_sql
from meshscope.logql.logs_eval import pipeline_entries
from meshscope.logql.parsed_sql import parsed_plan
from meshscope.logql.pipeline import ERROR, ERROR_DETAILS, Entry, compile_stages, run
from meshscope.logql.series import Grid, Labels, Matrix, labels_key
from meshscope.logql.sqlgen import filter_sql, sql_only, time_sql
from meshscope.logql.values import parse_bytes, parse_go_duration, parse_number
from meshscope.logql.windows import bucket_windows, over_time
from meshscope.storage.sql import quote

COUNTING = ("count_over_time", "rate", "bytes_over_time", "bytes_rate", "absent_over_time")
MAX_BUCKETS = 200_000

_CONVERT: dict[str, Callable[[str], float]] = {"": parse_number, "bytes": lambda v: float(parse_bytes(v)),
            "duration": lambda v: parse_go_duration(v) / 1e9, "duration_seconds": lambda v: parse_go_duration(v) / 1e9}


def evaluate_range(ctx: QueryContext, node: m.RangeAggregation, grid: Grid) -> Matrix:
    ends = grid.times - node.offset_ns
    g = math.gcd(grid.step_ns or node.range_ns, node.range_ns)
    buckets = node.range_ns // g + (grid.size - 1) * ((grid.step_ns or node.range_ns) // g)
    if node.op in COUNTING and buckets <= MAX_BUCKETS:
        if sql_only(node.query):
            return _finish(node, grid, _sql_counts(ctx, node, grid, g, buckets))
        plan = parsed_plan(node.query, node.grouping)
        if plan is not None:  # plain lines parsed in SQL, the rest in Python; window counts add up
            counts = _sql_counts(ctx, node, grid, g, buckets, plan.group_values, plan.where)
            rest = _python_windows(ctx, node, ends, f"NOT ({plan.plain_lines})", unscaled=True)
            for labels, values in rest.items():
                counts[labels] = counts.get(labels, 0.0) + np.nan_to_num(values)
            return _finish(node, grid, counts)
    result = Matrix(grid, _python_windows(ctx, node, ends))
    return _absent(node, result) if node.op == "absent_over_time" else result


def _python_windows(ctx: QueryContext, node: m.RangeAggregation, ends: np.ndarray, extra_where: str = "",
                    unscaled: bool = False) -> dict[Labels, np.ndarray]:
    op = _python_op(node.op)
    if unscaled:  # counts and bytes per window, for adding to SQL's before _finish scales them
        op = "bytes_over_time" if op.startswith("bytes") else "count_over_time"
    samples = _python_samples(ctx, node, int(ends[0]) - node.range_ns, int(ends[-1]), extra_where)
    return {labels: over_time(op, ts, values, ends, node.range_ns, node.param)
            for labels, (ts, values) in samples.items()}


def _python_op(op: str) -> str:
    return "count_over_time" if op == "absent_over_time" else op


def _finish(node: m.RangeAggregation, grid: Grid, windows: dict[Labels, np.ndarray]) -> Matrix:
    result = Matrix(grid)
    range_s = node.range_ns / 1e9
    for labels, values in windows.items():
        scaled = values / range_s if node.op in ("rate", "bytes_rate") else values
        result.series[labels] = np.where(values > 0, scaled, np.nan)
    return _absent(node, result) if node.op == "absent_over_time" else result


def _absent(node: m.RangeAggregation, found: Matrix) -> Matrix:
    """1 at the steps where no stream had a line; labels from the selector's equality matchers."""
    present = np.zeros(found.grid.size, dtype=bool)
    for values in found.series.values():
        present |= ~np.isnan(values)
    labels = labels_key({mt.name: mt.value for mt in node.query.matchers if mt.op == "="})
    return Matrix(found.grid, {labels: np.where(present, np.nan, 1.0)})


def _sql_counts(ctx: QueryContext, node: m.RangeAggregation, grid: Grid, g: int, buckets: int,
                group_values: str = "", extra_where: str = "") -> dict[Labels, np.ndarray]:
    base = grid.start_ns - node.offset_ns - node.range_ns
    last = base + buckets * g
    where = filter_sql(node.query, time_sql(base, last, left_open=True, right_closed=True))
    where += f" AND {extra_where}" if extra_where else ""
    measure = "sum(length(body))" if node.op.startswith("bytes") else "count()"
    table = ctx.arrow(f"SELECT {group_values or _labels_sql(node.grouping)} AS series_labels, "
                      f"intDiv(toUnixTimestamp64Nano(timestamp) - {base} + {g - 1}, {g}) AS b, "
                      f"{measure} AS v, count() AS n FROM {ctx.db}.logs {where} GROUP BY series_labels, b")
    per_series: dict[Labels, np.ndarray] = {}
    if table.num_rows == 0:
        return {}
    step_buckets = (grid.step_ns or node.range_ns) // g
    lines = table.column("n").to_numpy()
    ctx.stats.lines += int(lines.sum())
    for labels, b, v in zip(table.column("series_labels").to_pylist(), table.column("b").to_pylist(),
                            table.column("v").to_pylist(), strict=True):
        key = _series_key(node.grouping, labels)
        arr = per_series.get(key)
        if arr is None:
            arr = per_series[key] = np.zeros(buckets)
        arr[int(b) - 1] += float(v)
    if len(per_series) > ctx.limits.max_series:
        raise ExecutionError(f"maximum of series ({ctx.limits.max_series}) reached for a single query")
    return {k: bucket_windows(arr, grid.size, step_buckets, node.range_ns // g) for k, arr in per_series.items()}


def _labels_sql(grouping: m.Grouping | None) -> str:
    """The series labels, narrowed in SQL when an enclosing ``sum by/without`` was pushed down.

    ``by`` selects an array of values (much cheaper to group than a map; empty means absent)."""
    if grouping is None:
        return "labels"
    names = "[" + ", ".join(quote(n) for n in grouping.labels) + "]"
    if grouping.without:
        return f"mapFilter((k, v) -> NOT has({names}, k), labels)"
    return "[" + ", ".join(label_sql(n) for n in grouping.labels) + "]"


def _series_key(grouping: m.Grouping | None, value: object) -> Labels:
    if grouping is not None and not grouping.without:
        return labels_key({n: v for n, v in zip(grouping.labels, value, strict=True) if v})  # type: ignore[call-overload]
    return labels_key(dict(value))  # type: ignore[call-overload]


def _python_samples(ctx: QueryContext, node: m.RangeAggregation, lo: int, hi: int,
                    extra_where: str = "") -> dict[Labels, tuple[np.ndarray, np.ndarray]]:
    where = filter_sql(node.query, time_sql(lo, hi, left_open=True, right_closed=True))
    where += f" AND {extra_where}" if extra_where else ""
    extract = _extractor(node)
    collected: dict[Labels, tuple[list[int], list[float]]] = {}
    for entry in pipeline_entries(ctx, node.query, where, backward=False):
        sample = extract(entry)
        if sample is None:
            continue
        labels, value = sample
        ts_list, values = collected.setdefault(labels, ([], []))
        ts_list.append(entry.ts)
        values.append(value)
        if len(collected) > ctx.limits.max_series:
            raise ExecutionError(f"maximum of series ({ctx.limits.max_series}) reached for a single query")
    return {k: (np.asarray(t, dtype=np.int64), np.asarray(v, dtype=float)) for k, (t, v) in collected.items()}


def _group(node: m.RangeAggregation, e: Entry) -> Labels:
    """Series labels of a line; ``by`` may name structured metadata too (``detected_level``)."""
    if node.grouping is None:
        return labels_key(e.labels)
    names = node.grouping.labels
    if node.grouping.without:
        return labels_key({k: v for k, v in e.labels.items() if k not in names})
    found = {n: e.get(n) for n in names}
    return labels_key({k: v for k, v in found.items() if v})


def _extractor(node: m.RangeAggregation) -> Callable[[Entry], tuple[Labels, float] | None]:
    if node.unwrap is None:
        by_bytes = node.op.startswith("bytes")
        return lambda e: (_group(node, e), float(len(e.line.encode()) if by_bytes else 1.0))
    unwrap = node.unwrap
    convert = _CONVERT[unwrap.conversion]
    post = compile_stages(unwrap.post_filters)

    def extract(e: Entry) -> tuple[Labels, float] | None:
        raw = e.get(unwrap.label)
        if not raw:
            return None  # lines without the label are skipped, as in Loki
        value = 0.0
        try:
            value = convert(raw)
        except ValueError as exc:
            e.set_error("SampleExtractionErr", str(exc))
        e.labels.pop(unwrap.label, None)
        if not run(post, e):
            return None
        if ERROR in e.labels:
            e.labels.pop(ERROR_DETAILS, None)
            raise ExecutionError(f"pipeline error: '{e.labels[ERROR]}' for series: '{_selector(e.labels)}'. "
                                 "Use a label filter to intentionally skip this error. "
                                 f"(e.g | __error__!=\"{e.labels[ERROR]}\")")
        return _group(node, e), value
    return extract


def _selector(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
