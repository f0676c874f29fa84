"""Log queries: SQL selects and filters, Python runs the rest of the pipeline, Loki streams out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from meshscope.errors import BadData
from meshscope.logql import ast
from meshscope.logql.context import QueryContext, entries_of, fetch
from meshscope.logql.pipeline import Entry, compile_stages, run
from meshscope.logql.sqlgen import COLUMNS, filter_sql, split_stages, sql_only, time_sql, uses_token_filter


def check_limit(ctx: QueryContext, limit: int) -> None:
    if limit > ctx.limits.max_entries:
        raise BadData(f"max entries limit per query exceeded, limit > max_entries_limit "
                      f"({limit} > {ctx.limits.max_entries})")
    if limit < 0:
        raise BadData("limit must be a positive value")


def pipeline_entries(ctx: QueryContext, query: ast.LogQuery, where: str, backward: bool) -> Iterator[Entry]:
    """Entries that pass the whole pipeline, in time order (``backward``: newest first)."""
    _, rest = split_stages(query)
    stages = compile_stages(rest)
    for n, entry in enumerate(fetch(ctx, where, backward)):
        if n % 2000 == 0:
            ctx.check_time()
        ctx.count_line(len(entry.line))
        if run(stages, entry):
            yield entry


# The newest lines of a busy stream are minutes old: a log query reads this much of its range first.
FIRST_WINDOW_NS = 5 * 60 * 10**9


def next_width(found: int, limit: int, covered_ns: int, left_ns: int) -> int:
    """How much of the range to read next: twice what the lines found so far say the rest of the
    limit needs, or all that is left when nothing was found or that would be most of it (each
    statement costs ~7 ms of its own: a rare word reads the range in two, not in many)."""
    if found == 0:
        return left_ns
    wanted = 2 * (limit - found) * covered_ns // found
    return left_ns if 2 * wanted >= left_ns else max(wanted, FIRST_WINDOW_NS)


def select(ctx: QueryContext, query: ast.LogQuery, start_ns: int, end_ns: int, limit: int,
           backward: bool) -> list[Entry]:
    """Up to ``limit`` entries in ``[start, end)``, newest first when ``backward``.

    A scan reads its range from the wanted end, the last minutes first (Loki splits queries by time
    too): the newest 100 lines with a common word come from there, not from hours of logs. A query
    the token filter answers reads the whole range at once: it skips what it need not read."""
    check_limit(ctx, limit)
    if limit == 0:
        return []
    out: list[Entry] = []
    lo, hi = start_ns, end_ns  # what is left to read
    width = end_ns - start_ns if uses_token_filter(query) else FIRST_WINDOW_NS
    in_sql = sql_only(query)
    while lo < hi and len(out) < limit:
        a, b = (max(lo, hi - width), hi) if backward else (lo, min(hi, lo + width))
        where = filter_sql(query, time_sql(a, b))
        if in_sql:
            table = ctx.arrow(f"SELECT {COLUMNS} FROM {ctx.db}.logs {where} "
                              f"ORDER BY timestamp {'DESC' if backward else 'ASC'} LIMIT {int(limit - len(out))}")
            for e in entries_of(table):
                ctx.count_line(len(e.line))
                out.append(e)
        else:
            for entry in pipeline_entries(ctx, query, where, backward):
                out.append(entry)
                if len(out) >= limit:
                    break
        lo, hi = (lo, a) if backward else (b, hi)
        width = next_width(len(out), limit, end_ns - start_ns - (hi - lo), hi - lo)
    ctx.stats.entries = len(out)
    return out


def streams(entries: list[Entry], categorize: bool = False) -> list[dict[str, Any]]:
    """Loki's ``streams`` result: entries grouped by their labels, order of arrival kept.

    ``categorize`` is Loki's ``categorize-labels`` encoding (asked for by Grafana): streams keep
    only stream labels and each value carries its structured metadata and parsed labels."""
    grouped: dict[tuple[tuple[str, str], ...], list[list[Any]]] = {}
    for e in entries:
        if not categorize:
            grouped.setdefault(tuple(sorted(e.labels.items())), []).append([str(e.ts), e.line])
            continue
        stream = {k: v for k, v in e.labels.items() if k in e.stream_keys}
        parsed = {k: v for k, v in e.labels.items() if k not in e.stream_keys}
        extra = {name: part for name, part in (("structuredMetadata", e.meta), ("parsed", parsed)) if part}
        value: list[Any] = [str(e.ts), e.line, extra] if extra else [str(e.ts), e.line]
        grouped.setdefault(tuple(sorted(stream.items())), []).append(value)
    return [{"stream": dict(key), "values": values} for key, values in sorted(grouped.items())]
