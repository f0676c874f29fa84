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
from dataclasses import dataclass

from meshscope.logql import ast
from meshscope.logql import metric_ast as m
from meshscope.logql.label_sql import label_filter_sql, metadata_sql, pushable
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
    field: Callable[[str], str]  # (present, value) as one SQL expression giving '' when absent
    error: str  # the ``__error__`` value


def _json_field(q: str) -> str:
    present = f"{_JSON_OBJECT} AND JSONType(body, {q}) IN ('String', 'Int64', 'UInt64', 'Double', 'Bool')"
    value = f"if(JSONType(body, {q}) = 'String', JSONExtractString(body, {q}), JSONExtractRaw(body, {q}))"
    return f"if({present}, {value}, '')"


def _logfmt_field(q: str) -> str:
    return f"arrayLast((v, k) -> k = {q}, mapValues({_LOGFMT_PAIRS}), mapKeys({_LOGFMT_PAIRS}))"


PARSERS: dict[ast.Stage, ParserSql] = {
    ast.JsonParser(): ParserSql("position(body, '\\\\') = 0 AND position(body, 'NaN') = 0 "
                                "AND position(body, 'Infinity') = 0", _json_field,
                                f"if({_JSON_OBJECT}, '', 'JSONParserErr')"),
    ast.LogfmtParser(): ParserSql(f"position(body, '\\\\') = 0 AND match(body, {_LOGFMT_PLAIN})", _logfmt_field, "''"),
}


@dataclass(frozen=True)
class ParsedPlan:
    """SQL for the plain lines (filters after the parser, grouping values) and which lines those are."""

    where: str
    group_values: str
    plain_lines: str


def _value(parser: ParserSql, name: str, errors_dropped: bool) -> str:
    """Label ``name`` after the parser: stream label, else the parsed field, else metadata."""
    if name == _ERROR:
        return "''" if errors_dropped else parser.error
    q = quote(name)
    parsed = parser.field(q)
    return f"if(mapContains(labels, {q}), labels[{q}], if({parsed} != '', {parsed}, {metadata_sql(name)}))"


def _resolver(parser: ParserSql, errors_dropped: bool) -> Callable[[str], str]:
    return lambda name: _value(parser, name, errors_dropped)


def _names(expr: ast.LabelFilterExpr) -> list[str]:
    if isinstance(expr, (ast.FilterAnd, ast.FilterOr)):
        return _names(expr.left) + _names(expr.right)
    return [expr.name]


def parsed_plan(query: ast.LogQuery, grouping: m.Grouping | None) -> ParsedPlan | None:
    """A plan when the pipeline is ``| json`` or ``| logfmt``, then string label filters and error drops."""
    _, rest = split_stages(query)
    parser = PARSERS.get(rest[0]) if rest else None
    if parser is None or grouping is None or grouping.without:
        return None
    if not all(_SIMPLE.fullmatch(n) for n in grouping.labels):
        return None
    conditions, dropped = [], False
    for stage in rest[1:]:
        if drops_only_errors(stage):
            dropped = True
        elif (isinstance(stage, ast.LabelFilter) and pushable(stage.expr)
              and all(_SIMPLE.fullmatch(n) or n == _ERROR for n in _names(stage.expr))):
            conditions.append(label_filter_sql(stage.expr, _resolver(parser, dropped)))
        else:
            return None
    values = "[" + ", ".join(_value(parser, n, dropped) for n in grouping.labels) + "]"
    return ParsedPlan(" AND ".join([parser.plain_lines, *conditions]), values, parser.plain_lines)
