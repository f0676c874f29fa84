"""PromQL text → :mod:`.ast`, using the ``promql-parser`` package (Rust, PyO3) for the grammar.

What the package gives: ``parse(text)`` returns node objects (``VectorSelector``, ``MatrixSelector``,
``SubqueryExpr``, ``Call``, ``AggregateExpr``, ``BinaryExpr``, ``UnaryExpr``, ``ParenExpr``,
``NumberLiteral``, ``StringLiteral``) with operator precedence, type checking of function and
aggregation arguments, and the empty-matcher and ``@``-placement rules already applied.
Durations and offsets are ``timedelta``; ``@`` is an ``AtModifier`` whose ``at`` is a UTC
``datetime``; operators are ``TokenType`` objects whose ``str()`` is the lower-case token.

Quirks handled here (promql-parser 0.12.0, which follows Prometheus 2.45):

* Reading ``.at`` of a negative ``@`` timestamp panics (``SystemTimeError``) and ``str()`` shows 0.
  We rewrite ``@ -N`` in the text to ``@ SENTINEL+N`` before parsing and map it back.
* ``holt_winters`` is unknown (it was renamed after 2.42), so we register it as an extra function.
* Functions, aggregations and syntax newer than Prometheus 2.42 are accepted by the package
  (``sort_by_label``, ``limitk``, ``info``, ``{a="b" or c="d"}``, fill values, …); we reject them
  with the same wording Prometheus 2.42 uses for unknown functions.
* Errors are ``ValueError`` with a message but no position; we estimate one (see
  :func:`_error_position`). ``- - 1`` is folded to a number and unary ``+`` disappears.
* The metric name is a separate ``name`` attribute, not a matcher; we add the ``__name__``
  matcher as Prometheus' parser does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

import promql_parser as pp

from meshscope.promql import ast
from meshscope.promql.errors import ParseError
from meshscope.promql.matchers import LabelMatcher, MatchOp

FUNCTIONS_2_42 = frozenset({
    "abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh", "atan", "atanh", "avg_over_time",
    "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos", "cosh", "count_over_time", "days_in_month",
    "day_of_month", "day_of_week", "day_of_year", "deg", "delta", "deriv", "exp", "floor", "histogram_count",
    "histogram_fraction", "histogram_quantile", "histogram_sum", "holt_winters", "hour", "idelta", "increase",
    "irate", "label_join", "label_replace", "last_over_time", "ln", "log10", "log2", "max_over_time",
    "min_over_time", "minute", "month", "pi", "predict_linear", "present_over_time", "quantile_over_time", "rad",
    "rate", "resets", "round", "scalar", "sgn", "sin", "sinh", "sort", "sort_desc", "sqrt", "stddev_over_time",
    "stdvar_over_time", "sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year"
})
AGGREGATIONS_2_42 = frozenset({
    "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "quantile",
    "count_values"
})

_SENTINEL_S = 250_000_000_000  # year 9892: fits datetime, and no real @ time is this late
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)
_NEG_AT = re.compile(r"@(\s*)-(\s*)((?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
# The package's enum members are not hashable: key these tables by their ``str()``.
_MATCH_OPS: dict[str, MatchOp] = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~",
                                  "MatchOp.NotRe": "!~"}
_CARDS: dict[str, ast.Card] = {"VectorMatchCardinality.OneToOne": "one-to-one",
                               "VectorMatchCardinality.ManyToOne": "many-to-one",
                               "VectorMatchCardinality.OneToMany": "one-to-many",
                               "VectorMatchCardinality.ManyToMany": "many-to-many"}


def _register_holt_winters() -> None:
    vt = pp.ValueType
    try:
        pp.register_extra_functions([pp.Function("holt_winters", [vt.Matrix, vt.Scalar, vt.Scalar], vt.Vector)])
    except ValueError:  # already registered in this process
        pass


_register_holt_winters()


@lru_cache(maxsize=512)
def parse_query(query: str) -> ast.Expr:
    """The syntax tree of ``query``; raises :class:`ParseError` with a position when known."""
    if not query.strip():
        raise ParseError("no expression found in input", 0, query)
    try:
        node = pp.parse(_rewrite_negative_at(query))
    except ValueError as exc:
        message = str(exc)
        position = _error_position(query, message)
        if message == "invalid promql query" and position is not None and position < len(query):
            token = re.match(r"[\w:.]+|\S", query[position:])
            message += f': unexpected "{token.group(0) if token else query[position]}"'
        raise ParseError(message, position, query) from None
    return _Converter(query).convert(node)


def _rewrite_negative_at(query: str) -> str:
    """``@ -N`` → ``@ SENTINEL+N`` outside string literals (see the module docstring)."""
    if "@" not in query or "-" not in query:
        return query
    out, i = [], 0
    for start, end in _code_spans(query):
        out.append(query[i:start])
        out.append(_NEG_AT.sub(lambda m: f"@{m.group(1)}{Decimal(_SENTINEL_S) + Decimal(m.group(3))}",
                               query[start:end]))
        i = end
    out.append(query[i:])
    return "".join(out)


def _code_spans(query: str) -> list[tuple[int, int]]:
    """Spans of ``query`` that are outside quoted strings and comments."""
    spans, start, i = [], 0, 0
    while i < len(query):
        c = query[i]
        if c in "\"'`#":
            spans.append((start, i))
            close = "\n" if c == "#" else c
            i += 1
            while i < len(query) and query[i] != close:
                i += 2 if (query[i] == "\\" and c != "`" and c != "#") else 1
            start = i + 1
        i += 1
    spans.append((start, len(query)))
    return [(a, b) for a, b in spans if a < b]


def _error_position(query: str, message: str) -> int | None:
    """Best guess at where the parser stopped: promql-parser reports no position."""
    if "end of input" in message or "unclosed" in message:
        return len(query.rstrip())
    if "unterminated quoted string" in message:
        return max(query.rfind('"'), query.rfind("'"), query.rfind("`"), 0)
    named = re.search(r"'([^']+)'|: (\S+)$", message)
    if named:
        found = query.find(named.group(1) or named.group(2))
        if found >= 0:
            return found
    return _last_good_prefix(query)


def _last_good_prefix(query: str) -> int | None:
    """Start of the first token after the longest prefix that still parses."""
    if len(query) > 2000:
        return None
    best = None
    for cut in range(1, len(query) + 1):
        if cut < len(query) and not query[cut].isspace() and query[cut - 1].isalnum() and query[cut].isalnum():
            continue
        try:
            pp.parse(query[:cut])
        except ValueError:
            pass
        else:
            best = cut
    if best is None:
        return 0
    while best < len(query) and query[best].isspace():
        best += 1
    return best


class _Converter:
    """Walks promql-parser nodes by type (one method per node type) into :mod:`.ast` values."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.table: dict[type, Callable[[Any], ast.Expr]] = {
            pp.NumberLiteral: lambda n: ast.NumberLiteral(float(n.val)),
            pp.StringLiteral: lambda n: ast.StringLiteral(n.val),
            pp.ParenExpr: lambda n: ast.Paren(self.convert(n.expr)),
            pp.UnaryExpr: lambda n: ast.Unary("-", self.convert(n.expr)),
            pp.VectorSelector: self._vector_selector,
            pp.MatrixSelector: lambda n: ast.MatrixSelector(self._vector_selector(n.vector_selector),
                                                            _ms(n.range)),
            pp.SubqueryExpr: self._subquery,
            pp.Call: self._call,
            pp.AggregateExpr: self._aggregate,
            pp.BinaryExpr: self._binary,
        }

    def convert(self, node: Any) -> ast.Expr:
        try:
            return self.table[type(node)](node)
        except (ValueError, OverflowError) as exc:  # e.g. reading `@ 1e100` back from the Rust side
            raise ParseError(f"invalid value in query: {exc}", None, self.query) from None

    def fail(self, message: str, token: str) -> ParseError:
        pos = self.query.find(token)
        return ParseError(message, pos if pos >= 0 else None, self.query)

    def _vector_selector(self, n: Any) -> ast.VectorSelector:
        if n.matchers.or_matchers:
            raise self.fail('unexpected "or" in label matching (not in Prometheus 2.42)', " or ")
        matchers = [LabelMatcher(m.name, _MATCH_OPS[str(m.op)], m.value) for m in n.matchers.matchers]
        if n.name is not None:
            matchers.insert(0, LabelMatcher("__name__", "=", n.name))
        return ast.VectorSelector(n.name, tuple(matchers), _ms(n.offset), _at(n.at))

    def _subquery(self, n: Any) -> ast.Subquery:
        step = _ms(n.step) if n.step is not None else 0
        return ast.Subquery(self.convert(n.expr), _ms(n.range), step, _ms(n.offset), _at(n.at))

    def _call(self, n: Any) -> ast.Call:
        name = n.func.name
        if name not in FUNCTIONS_2_42:
            raise self.fail(f'unknown function with name "{name}"', name)
        return ast.Call(name, tuple(self.convert(a) for a in n.args))

    def _aggregate(self, n: Any) -> ast.Aggregate:
        op = str(n.op).lower()
        if op not in AGGREGATIONS_2_42:
            raise self.fail(f'unknown aggregation operator "{op}"', op)
        param = self.convert(n.param) if n.param is not None else None
        mod = n.modifier
        without = mod is not None and mod.type == pp.AggModifierType.Without
        grouping = tuple(mod.labels) if mod is not None else ()
        return ast.Aggregate(op, self.convert(n.expr), param, grouping, without)

    def _binary(self, n: Any) -> ast.Binary:
        mod = n.modifier
        matching = None
        if mod is not None:
            fill = mod.fill_values
            if fill is not None and (fill.lhs is not None or fill.rhs is not None):
                raise self.fail("fill modifiers are not supported (not in Prometheus 2.42)", "fill")
            on = mod.matching is not None and mod.matching.type == pp.LabelModifierType.Include
            labels = tuple(mod.matching.labels) if mod.matching is not None else ()
            matching = ast.VectorMatching(_CARDS[str(mod.card)], on, labels, tuple(mod.group_labels or ()))
            if not on and not labels and matching.card in ("one-to-one", "many-to-many"):
                matching = None  # the default, however it was written (e.g. `ignoring()`)
        return_bool = bool(mod.return_bool) if mod is not None else False
        return ast.Binary(str(n.op).lower(), self.convert(n.lhs), self.convert(n.rhs), matching, return_bool)


def _ms(delta: timedelta | None) -> int:
    return 0 if delta is None else delta // _MS


def _at(at: Any) -> ast.At | None:
    if at is None:
        return None
    if at.type == pp.AtModifierType.Start:
        return ast.At(edge="start")
    if at.type == pp.AtModifierType.End:
        return ast.At(edge="end")
    ms = round((at.at - _EPOCH) / _MS)
    if ms >= _SENTINEL_S * 1000 - 30_000_000_000_000:  # within ~950 years below the sentinel
        ms = -(ms - _SENTINEL_S * 1000)
    return ast.At(time_ms=ms)
