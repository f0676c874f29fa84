"""``| json`` fields in SQL, for counting queries such as Grafana's
``sum by (level) (count_over_time({app="x"} | json | status="500" [1m]))``.

ClickHouse reads a plain top-level field of a JSON object as Python's pipeline does, so lines
that are plain (no backslash escapes, no ``NaN``/``Infinity``) are counted in SQL and only the
others go through Python. Eligible: names of letters and digits (flattened nested names contain
``_`` and stay in Python), string label filters, ``by`` groupings. One known difference: a line
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

PLAIN_LINES = "position(body, '\\\\') = 0 AND position(body, 'NaN') = 0 AND position(body, 'Infinity') = 0"
_OBJECT = "(isValidJSON(body) AND JSONType(body) = 'Object')"
_SIMPLE = re.compile(r"[a-zA-Z][a-zA-Z0-9]*")
_ERROR = "__error__"


@dataclass(frozen=True)
class JsonPlan:
    """SQL for the plain lines: the label filters after ``| json`` and the grouping values."""

    where: str
    group_values: str


def field_sql(name: str) -> str:
    """The label ``name`` after ``| json``: stream label, else the parsed field, else metadata."""
    q = quote(name)
    present = f"{_OBJECT} AND JSONType(body, {q}) IN ('String', 'Int64', 'UInt64', 'Double', 'Bool')"
    parsed = f"if(JSONType(body, {q}) = 'String', JSONExtractString(body, {q}), JSONExtractRaw(body, {q}))"
    return f"if(mapContains(labels, {q}), labels[{q}], if({present}, {parsed}, {metadata_sql(name)}))"


def _resolver(errors_dropped: bool) -> Callable[[str], str]:
    def resolve(name: str) -> str:
        if name == _ERROR:
            return "''" if errors_dropped else f"if({_OBJECT}, '', 'JSONParserErr')"
        return field_sql(name)
    return resolve


def _names(expr: ast.LabelFilterExpr) -> list[str]:
    if isinstance(expr, (ast.FilterAnd, ast.FilterOr)):
        return _names(expr.left) + _names(expr.right)
    return [expr.name]


def json_plan(query: ast.LogQuery, grouping: m.Grouping | None) -> JsonPlan | None:
    """A plan when the pipeline is ``| json`` then string label filters (and error drops)."""
    _, rest = split_stages(query)
    if not rest or rest[0] != ast.JsonParser() or grouping is None or grouping.without:
        return None
    if not all(_SIMPLE.fullmatch(n) for n in grouping.labels):
        return None
    conditions, dropped = [], False
    for stage in rest[1:]:
        if drops_only_errors(stage):
            dropped = True
        elif (isinstance(stage, ast.LabelFilter) and pushable(stage.expr)
              and all(_SIMPLE.fullmatch(n) or n == _ERROR for n in _names(stage.expr))):
            conditions.append(label_filter_sql(stage.expr, _resolver(dropped)))
        else:
            return None
    values = "[" + ", ".join(field_sql(n) for n in grouping.labels) + "]"
    return JsonPlan(" AND ".join([PLAIN_LINES, *conditions]), values)
