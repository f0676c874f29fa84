"""LogQL metric nodes: range aggregations over log lines, vector aggregations, binary operations.

``str()`` of every node is LogQL that parses back to an equal node; binary operations print
parenthesised so precedence survives the round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from meshscope.logql.ast import LabelFilter, LogQuery, format_duration, quote

RANGE_OPS = ("count_over_time", "rate", "bytes_over_time", "bytes_rate", "absent_over_time")
UNWRAP_OPS = ("sum_over_time", "avg_over_time", "min_over_time", "max_over_time", "stddev_over_time",
              "stdvar_over_time", "quantile_over_time", "first_over_time", "last_over_time", "rate",
              "rate_counter")
VECTOR_OPS = ("sum", "avg", "min", "max", "count", "topk", "bottomk", "approx_topk", "stddev", "stdvar", "sort",
              "sort_desc")
BINARY_PRECEDENCE = {"or": 1, "and": 2, "unless": 2, "==": 3, "!=": 3, ">": 3, ">=": 3, "<": 3, "<=": 3,
                     "+": 4, "-": 4, "*": 5, "/": 5, "%": 5, "^": 6}
COMPARISONS = ("==", "!=", ">", ">=", "<", "<=")
SET_OPS = ("and", "or", "unless")

Conversion = Literal["", "duration", "duration_seconds", "bytes"]


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


@dataclass(frozen=True)
class Grouping:
    """``by (a, b)`` or ``without (a)``."""

    without: bool
    labels: tuple[str, ...]

    def __str__(self) -> str:
        return f"{'without' if self.without else 'by'} ({', '.join(self.labels)})"


@dataclass(frozen=True)
class Unwrap:
    """``| unwrap duration(latency) | __error__=""``: the label whose value becomes the sample."""

    label: str
    conversion: Conversion = ""
    post_filters: tuple[LabelFilter, ...] = ()

    def __str__(self) -> str:
        target = f"{self.conversion}({self.label})" if self.conversion else self.label
        return " ".join([f"| unwrap {target}", *(str(f) for f in self.post_filters)])


@dataclass(frozen=True)
class RangeAggregation:
    """``op([param,] {selector} | pipeline [| unwrap x] [range] [offset d]) [by (...)]``."""

    op: str
    query: LogQuery
    range_ns: int
    offset_ns: int = 0
    unwrap: Unwrap | None = None
    param: float | None = None
    grouping: Grouping | None = None

    def __str__(self) -> str:
        inner = str(self.query) + (f" {self.unwrap}" if self.unwrap else "")
        inner += f" [{format_duration(self.range_ns)}]"
        if self.offset_ns:
            inner += f" offset {format_duration(self.offset_ns)}"
        param = f"{_number(self.param)}, " if self.param is not None else ""
        group = f" {self.grouping}" if self.grouping else ""
        return f"{self.op}({param}{inner}){group}"


@dataclass(frozen=True)
class VectorAggregation:
    op: str
    expr: MetricExpr
    grouping: Grouping | None = None
    param: float | None = None

    def __str__(self) -> str:
        group = f" {self.grouping}" if self.grouping else ""
        param = f"{_number(self.param)}, " if self.param is not None else ""
        return f"{self.op}{group} ({param}{self.expr})"


@dataclass(frozen=True)
class VectorMatching:
    """``on (a)``/``ignoring (a)`` and ``group_left (b)``/``group_right``."""

    on: bool
    labels: tuple[str, ...]
    group: Literal["", "left", "right"] = ""
    include: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{'on' if self.on else 'ignoring'} ({', '.join(self.labels)})"
        if self.group:
            text += f" group_{self.group} ({', '.join(self.include)})"
        return text


@dataclass(frozen=True)
class BinaryOp:
    op: str
    lhs: MetricExpr
    rhs: MetricExpr
    bool_modifier: bool = False
    matching: VectorMatching | None = None

    def __str__(self) -> str:
        mods = (" bool" if self.bool_modifier else "") + (f" {self.matching}" if self.matching else "")
        return f"({self.lhs} {self.op}{mods} {self.rhs})"


@dataclass(frozen=True)
class NumberLiteral:
    value: float

    def __str__(self) -> str:
        return _number(self.value)


@dataclass(frozen=True)
class VectorLiteral:
    """``vector(1)``: one series without labels (Grafana's health check adds two of them)."""

    value: float

    def __str__(self) -> str:
        return f"vector({_number(self.value)})"


@dataclass(frozen=True)
class LabelReplace:
    """``label_replace(v, "dst", "replacement", "src", "regex")`` as in Prometheus."""

    expr: MetricExpr
    dst: str
    replacement: str
    src: str
    regex: str

    def __str__(self) -> str:
        args = ", ".join(quote(a) for a in (self.dst, self.replacement, self.src, self.regex))
        return f"label_replace({self.expr}, {args})"


MetricExpr = LabelReplace | RangeAggregation | VectorAggregation | BinaryOp | NumberLiteral | VectorLiteral
Expr = LogQuery | MetricExpr
