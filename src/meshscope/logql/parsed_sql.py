"""``| json`` and ``| logfmt`` fields in SQL, for counting queries such as Grafana's
``sum by (level) (count_over_time({app="x"} | json | status="500" [1m]))``.

ClickHouse reads plain lines as the Python pipeline does, so plain lines are counted in SQL and
only the others go through Python: for JSON, lines without backslash escapes and ``NaN``/
``Infinity``; for logfmt, lines without backslashes whose quotes only wrap whole values
(``k="v w"``). Eligible: names of letters and digits (sanitised or flattened names contain ``_``
and stay in Python), string label filters, ``by`` groupings. One known difference: a JSON line
with a duplicate key counts under the first value in SQL, the last in Python (and Loki).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from meshscope.logql import ast
from meshscope.logql import metric_ast as m
from meshscope.logql.label_sql import label_filter_sql, metadata_sql
from meshscope.logql.sqlgen import drops_only_errors, split_stages
from meshscope.storage.sql import quote

_SIMPLE = re.compile(r"[a-zA-Z][a-zA-Z0-9]*")
_ERROR = "__error__"
_JSON_OBJECT = "(isValidJSON(body) AND JSONType(body) = 'Object')"
_LOGFMT_PAIRS = "extractKeyValuePairs(body, '=', ' \\t\\n\\r', '\"')"
_LOGFMT_PLAIN = quote(r'^(?:[^"\\]*="[^"\\]*"(?:\s|$))*[^"\\]*$')


@dataclass(frozen=True)
class ParserSql:
    """How one parser reads a line in SQL: which lines it may read, a field, whether it failed."""

    plain_lines: str
    present: Callable[[str], str]  # the parser produced the field (Python's labels have it)
    field: Callable[[str], str]
    error: str  # the ``__error__`` value


def _json_present(q: str) -> str:
    return f"{_JSON_OBJECT} AND JSONType(body, {q}) IN ('String', 'Int64', 'UInt64', 'Double', 'Bool')"


def _json_field(q: str) -> str:
    return f"if(JSONType(body, {q}) = 'String', JSONExtractString(body, {q}), JSONExtractRaw(body, {q}))"


def _logfmt_field(q: str) -> str:
    return f"arrayLast((v, k) -> k = {q}, mapValues({_LOGFMT_PAIRS}), mapKeys({_LOGFMT_PAIRS}))"


PARSERS: dict[ast.Stage, ParserSql] = {
    ast.JsonParser(): ParserSql("position(body, '\\\\') = 0 AND position(body, 'NaN') = 0 "
                                "AND position(body, 'Infinity') = 0", _json_present, _json_field,
                                f"if({_JSON_OBJECT}, '', 'JSONParserErr')"),
    ast.LogfmtParser(): ParserSql(f"position(body, '\\\\') = 0 AND match(body, {_LOGFMT_PLAIN})",
                                  lambda q: f"{_logfmt_field(q)} != ''", _logfmt_field, "''"),
}
_NUMBER = quote(r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$")


@dataclass(frozen=True)
class ParsedPlan:
    """SQL for the plain lines (filters after the parser, grouping values) and which lines those are."""

    where: str
    group_values: str
    plain_lines: str


@dataclass
class _Builder:
    """Walks the stages after the parser; numeric filters narrow which lines SQL may take."""

    parser: ParserSql
    errors_dropped: bool = False
    plain: list[str] = field(default_factory=list)

    def value(self, name: str) -> str:
        """Label ``name`` after the parser: stream label, else the parsed field, else metadata."""
        if name == _ERROR:
            return "''" if self.errors_dropped else self.parser.error
        q = quote(name)
        return (f"if(mapContains(labels, {q}), labels[{q}], if({self.parser.present(q)}, {self.parser.field(q)}, "
                f"{metadata_sql(name)}))")

    def present(self, name: str) -> str:
        q = quote(name)
        return f"(mapContains(labels, {q}) OR {self.parser.present(q)} OR mapContains(attributes, {q}))"

    def filter(self, expr: ast.LabelFilterExpr) -> str | None:
        if isinstance(expr, (ast.FilterAnd, ast.FilterOr)):
            left, right = self.filter(expr.left), self.filter(expr.right)
            if left is None or right is None:
                return None
            return f"({left} {'AND' if isinstance(expr, ast.FilterAnd) else 'OR'} {right})"
        if isinstance(expr, ast.IpFilter) or not (
                _SIMPLE.fullmatch(expr.name) or (expr.name == _ERROR and isinstance(expr, ast.StringFilter))):
            return None
        if isinstance(expr, ast.StringFilter):
            return label_filter_sql(expr, self.value)
        if expr.kind != "number":
            return None
        # Lines where the value is present but not a plain number would get LabelFilterErr: Python's.
        value, present = self.value(expr.name), self.present(expr.name)
        self.plain.append(f"(NOT {present} OR match({value}, {_NUMBER}))")
        error = "''" if self.errors_dropped else self.parser.error
        op = "=" if expr.op == "==" else expr.op
        return f"({error} != '' OR ({present} AND toFloat64OrZero({value}) {op} {expr.value!r}))"


def _walk(query: ast.LogQuery, whole: bool) -> tuple[ParserSql, _Builder, list[str]] | None:
    """The parser and SQL of the label filters after it; ``whole``: every later stage must be one."""
    _, rest = split_stages(query)
    parser = PARSERS.get(rest[0]) if rest else None
    if parser is None:
        return None
    builder, conditions = _Builder(parser), []
    for stage in rest[1:]:
        if drops_only_errors(stage):
            builder.errors_dropped = True
            continue
        condition = builder.filter(stage.expr) if isinstance(stage, ast.LabelFilter) else None
        if condition is None:
            if whole:
                return None
            break
        conditions.append(condition)
    return parser, builder, conditions


def parsed_plan(query: ast.LogQuery, grouping: m.Grouping | None) -> ParsedPlan | None:
    """A plan when the pipeline is ``| json`` or ``| logfmt``, then label filters and error drops."""
    if grouping is None or grouping.without or not all(_SIMPLE.fullmatch(n) for n in grouping.labels):
        return None
    walked = _walk(query, whole=True)
    if walked is None:
        return None
    parser, builder, conditions = walked
    plain = " AND ".join([parser.plain_lines, *builder.plain])
    values = "[" + ", ".join(builder.value(n) for n in grouping.labels) + "]"
    return ParsedPlan(" AND ".join([plain, *conditions]), values, plain)


def parsed_prefilter(query: ast.LogQuery) -> str | None:
    """A condition that drops the plain lines the filters after the parser would drop, keeping the rest
    for Python: exact for plain lines, no change for others."""
    walked = _walk(query, whole=False)
    if walked is None or not walked[2]:
        return None
    parser, builder, conditions = walked
    plain = " AND ".join([parser.plain_lines, *builder.plain])
    return f"(({' AND '.join(conditions)}) OR NOT ({plain}))"
