"""Stream selectors and line filters as ClickHouse SQL conditions over the ``logs`` table.

``|= "text"`` keeps Loki's substring meaning with ``position()``; when the literal contains whole
tokens (bounded by separators inside the literal) ``hasToken`` tests are added in front so the token
bloom filter on ``body`` skips granules first. A bare word cannot use the filter: ``|= "err"`` must
match ``errors`` too, and the filter only knows whole tokens.
"""

from __future__ import annotations

import re

from meshscope.logql import ast
from meshscope.logql.label_sql import label_filter_sql, pushable
from meshscope.logql.pattern import compile_line_pattern
from meshscope.logql.tokens import has_tokens, regex_tokens, whole_tokens
from meshscope.storage.sql import quote, quote_list

COLUMNS = ("toUnixTimestamp64Nano(timestamp) AS ts, labels, body, attributes, trace_id, span_id, "
           "severity_text, severity_number")


def _anchored(pattern: str) -> str:
    return quote(f"^(?:{pattern})$")


def _matcher(m: ast.Matcher) -> str:
    column = "service_name" if m.name == "service_name" else f"labels[{quote(m.name)}]"
    if m.op == "=":
        return f"{column} = {quote(m.value)}"
    if m.op == "!=":
        return f"{column} != {quote(m.value)}"
    test = _regex_match(column, m.value)
    return test if m.op == "=~" else f"NOT ({test})"


_LITERAL_ALTERNATIVES = re.compile(r"[a-zA-Z0-9_\-/:@ ]+(?:\|[a-zA-Z0-9_\-/:@ ]+)*")


def _regex_match(column: str, pattern: str) -> str:
    """An anchored regex match; Grafana's usual ``.+``, ``.*`` and ``a|b|c`` become plain comparisons."""
    if pattern == ".*":
        return "1"
    if pattern == ".+":
        return f"{column} != ''"
    if _LITERAL_ALTERNATIVES.fullmatch(pattern):
        return f"{column} IN {quote_list(pattern.split('|'))}"
    return f"match({column}, {_anchored(pattern)})"


def _contains(pattern: str) -> str:
    if not pattern:
        return "1"
    check = f"position(body, {quote(pattern)}) > 0"
    tokens = whole_tokens(pattern)
    return f"({has_tokens(tokens)}{check})" if tokens else check


def _matches(pattern: str) -> str:
    """``|~``: a plain word or ``a|b|c`` of plain words is a substring search (RE2 runs the alternation
    ~2.7x slower than ``multiSearchAny`` on bench/logql_scans.py's lines); else ``match``."""
    if _LITERAL_ALTERNATIVES.fullmatch(pattern):
        words = list(dict.fromkeys(pattern.split("|")))
        if len(words) == 1:
            return _contains(words[0])
        return "multiSearchAny(body, [" + ", ".join(quote(w) for w in words) + "])"
    check = f"match(body, {quote(pattern)})"
    tokens = regex_tokens(pattern)
    return f"({has_tokens(tokens)}{check})" if tokens else check


def line_filter_sql(f: ast.LineFilter) -> str:
    if f.op == "|=":
        parts = [_contains(p) for p in f.patterns]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    if f.op == "!=":
        return " AND ".join(f"position(body, {quote(p)}) = 0" for p in f.patterns)
    if f.op in ("|>", "!>"):
        parts = [pattern_sql(p) for p in f.patterns]
        matched = parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
        return matched if f.op == "|>" else f"NOT {matched}"
    if f.op == "!~":
        return " AND ".join(f"NOT match(body, {quote(p)})" for p in f.patterns)
    parts = [_matches(p) for p in f.patterns]
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def pattern_sql(text: str) -> str:
    """Loki's pattern line filter test in SQL: each literal's first occurrence after the previous
    one (``arrayFold`` carries the 1-based offset, 0 once failed), no empty captures, and the line
    ends with the pattern's last literal or, after a final capture, goes on past it."""
    parts = compile_line_pattern(text).parts
    literals = [(lit, i != 0) for i, (is_capture, lit) in enumerate(parts) if not is_capture]
    ends_on_capture = "1" if parts[-1][0] else "0"
    if not literals:
        return "body != ''"
    steps = ", ".join(f"({quote(lit)}, {int(later)})" for lit, later in literals)
    at = "position(body, x.1, acc)"
    fold = (f"arrayFold((acc, x) -> if(acc = 0 OR {at} = 0 OR (x.2 AND {at} = acc), toUInt64(0), "
            f"{at} + length(x.1)), [{steps}], toUInt64(1))")
    tokens = list(dict.fromkeys(tok for lit, _ in literals for tok in whole_tokens(lit)))
    return f"({has_tokens(tokens)}body != '' AND {fold} > 0 AND ({fold} - 1 != length(body)) = {ends_on_capture})"


_ERROR_LABELS = ("__error__", "__error_details__")


def drops_only_errors(stage: ast.Stage) -> bool:
    """``| drop __error__`` before any parser: nothing can have set an error yet (Grafana adds it)."""
    return isinstance(stage, ast.DropKeep) and not stage.keep and all(
        (item if isinstance(item, str) else item.name) in _ERROR_LABELS for item in stage.items)


SqlStage = ast.LineFilter | ast.LabelFilter


def split_stages(query: ast.LogQuery) -> tuple[list[SqlStage], tuple[ast.Stage, ...]]:
    """Leading stages SQL can run (line filters, string label filters before any parser) and the
    rest of the pipeline (Python runs it)."""
    sql: list[SqlStage] = []
    for i, stage in enumerate(query.stages):
        if isinstance(stage, ast.LineFilter) or (isinstance(stage, ast.LabelFilter) and pushable(stage.expr)):
            sql.append(stage)
        elif not drops_only_errors(stage):
            return sql, query.stages[i:]
    return sql, ()


def _stage_sql(stage: SqlStage) -> str:
    if isinstance(stage, ast.LineFilter):
        return line_filter_sql(stage)
    return label_filter_sql(stage.expr)


def sql_only(query: ast.LogQuery) -> bool:
    """True when SQL alone answers the query (no stage needs Python)."""
    return not split_stages(query)[1]


def time_sql(start_ns: int, end_ns: int, left_open: bool = False, right_closed: bool = False) -> str:
    lo = ">" if left_open else ">="
    hi = "<=" if right_closed else "<"
    return (f"timestamp {lo} fromUnixTimestamp64Nano(toInt64({int(start_ns)})) AND "
            f"timestamp {hi} fromUnixTimestamp64Nano(toInt64({int(end_ns)}))")


def uses_token_filter(query: ast.LogQuery) -> bool:
    """Whether a line filter tests whole tokens, so the token filter skips granules for it."""
    filters, _ = split_stages(query)
    return any(isinstance(f, ast.LineFilter) and f.op in ("|=", "|~", "|>") and "hasToken(" in line_filter_sql(f)
               for f in filters)


def where_sql(query: ast.LogQuery, time_condition: str) -> str:
    """One condition: selector, time range and the leading stages SQL can run."""
    filters, _ = split_stages(query)
    from meshscope.logql.prefilter import prefilter_sql

    parts = [_matcher(m) for m in query.matchers] + [time_condition] + [_stage_sql(f) for f in filters]
    return " AND ".join(parts + prefilter_sql(query))


def filter_sql(query: ast.LogQuery, time_condition: str) -> str:
    """``PREWHERE <time, line filters> WHERE <selector, label filters>`` (ends with the WHERE part, so
    callers may append `` AND ...``).

    Line filters run first: ClickHouse then decodes the ``labels`` map only for the lines they keep
    (measured by bench/logql_scans.py: a common word counted with ``{job="x"}`` costs 40% less CPU).
    Without a line filter ClickHouse picks the PREWHERE itself."""
    filters, _ = split_stages(query)
    from meshscope.logql.prefilter import prefilter_sql

    lines = [line_filter_sql(f) for f in filters if isinstance(f, ast.LineFilter)]
    labels = [label_filter_sql(f.expr) for f in filters if isinstance(f, ast.LabelFilter)]
    where = " AND ".join([_matcher(m) for m in query.matchers] + labels + prefilter_sql(query))
    if not lines:
        return f"WHERE {time_condition} AND {where}"
    return f"PREWHERE {time_condition} AND {' AND '.join(lines)} WHERE {where}"
