"""Log queries read their range window by window from the wanted end: the newest lines of a common
word come from the first window, and lines anywhere in the range are still found, in order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.support.storage import migrated_chdb

from meshscope.logql.ast import LogQuery
from meshscope.logql.context import QueryContext
from meshscope.logql.logs_eval import FIRST_WINDOW_NS, select, windows
from meshscope.logql.parser import parse
from meshscope.storage.executor import Executor

S = 10**9
START = 1_800_000_000 * S
END = START + 6 * 3600 * S
EVERY = 20 * S  # a "common" line every 20 s over 6 h


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Executor]:
    with migrated_chdb(tmp_path_factory.mktemp("windows")) as ex:
        ex.command(f"""INSERT INTO meshscope.logs (timestamp, service_name, labels, body)
            SELECT fromUnixTimestamp64Nano(toInt64({START} + number * {EVERY})), 'api', map('service_name', 'api'),
                   concat('common line ', toString(number))
            FROM numbers({(END - START) // EVERY})""")
        for ts, service in ((START + 7 * S, "api"), (START + 2 * 3600 * S, "web")):
            ex.command(f"INSERT INTO meshscope.logs (timestamp, service_name, labels, body) VALUES "
                       f"(fromUnixTimestamp64Nano(toInt64({ts})), '{service}', map('service_name', '{service}'), "
                       "'an early bird')")
        yield ex


def _query(text: str) -> LogQuery:
    q = parse(text)
    assert isinstance(q, LogQuery)
    return q


def test_windows_cover_the_range_once_from_the_wanted_end() -> None:
    back = list(windows(START, END, backward=True))
    assert back[0] == (END - FIRST_WINDOW_NS, END) and back[-1][0] == START
    assert all(a[0] == b[1] for a, b in zip(back, back[1:], strict=False))  # contiguous, newest first
    forward = list(windows(START, END, backward=False))
    assert forward[0] == (START, START + FIRST_WINDOW_NS) and forward[-1][1] == END
    assert all(a[1] == b[0] for a, b in zip(forward, forward[1:], strict=False))  # contiguous, oldest first
    assert len(back) == len(forward) == 4  # 5 min, 20 min, 80 min, the rest of 6 h
    assert list(windows(START, START, backward=True)) == []


def test_newest_lines_of_a_common_word_come_from_the_first_window(ex: Executor) -> None:
    ctx = QueryContext(ex)
    got = select(ctx, _query('{service_name="api"} |= "common"'), START, END, 5, backward=True)
    last = (END - START) // EVERY - 1
    assert [e.line for e in got] == [f"common line {n}" for n in range(last, last - 5, -1)]
    assert ctx.stats.queries == 1


def test_lines_anywhere_in_the_range_are_found_in_order(ex: Executor) -> None:
    ctx = QueryContext(ex)
    got = select(ctx, _query('{service_name=~".+"} |= "early"'), START, END, 10, backward=True)
    assert [(e.line, e.ts) for e in got] == [("an early bird", START + 2 * 3600 * S), ("an early bird", START + 7 * S)]
    assert ctx.stats.queries == len(list(windows(START, END, backward=True)))
    forward = select(QueryContext(ex), _query('{service_name="api"} |= "common" | drop pod'),
                     START, END, 3, backward=False)  # a Python stage: the same windows, oldest first
    assert [e.line for e in forward] == ["common line 0", "common line 1", "common line 2"]


def test_a_token_filter_query_reads_the_range_at_once(ex: Executor) -> None:
    ctx = QueryContext(ex)
    got = select(ctx, _query('{service_name=~".+"} |= " early "'), START, END, 10, backward=True)
    assert [e.ts for e in got] == [START + 2 * 3600 * S, START + 7 * S] and ctx.stats.queries == 1
