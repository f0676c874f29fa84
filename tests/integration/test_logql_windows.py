"""Log queries read their range from the wanted end, the last minutes first: the newest lines of a
common word come from that first window, a rare word reads the rest in one more statement, and lines
anywhere in the range are found, in order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.support.storage import migrated_chdb

from meshscope.logql.ast import LogQuery
from meshscope.logql.context import QueryContext
from meshscope.logql.logs_eval import FIRST_WINDOW_NS, next_width, select
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


@pytest.mark.parametrize("found,covered,left,width", [
    (0, FIRST_WINDOW_NS, 100 * FIRST_WINDOW_NS, 100 * FIRST_WINDOW_NS),  # nothing yet: all the rest at once
    (50, FIRST_WINDOW_NS, 100 * FIRST_WINDOW_NS, 2 * FIRST_WINDOW_NS),  # half the limit in 5 min: 10 min more
    (99, FIRST_WINDOW_NS, 100 * FIRST_WINDOW_NS, FIRST_WINDOW_NS),  # never less than a first window
    (10, FIRST_WINDOW_NS, 100 * FIRST_WINDOW_NS, 18 * FIRST_WINDOW_NS),  # 10 in 5 min: 90 min for the other 90
    (10, FIRST_WINDOW_NS, 30 * FIRST_WINDOW_NS, 30 * FIRST_WINDOW_NS),  # 90 of 150 min left is most: all of it
])
def test_next_width_follows_the_density_found(found: int, covered: int, left: int, width: int) -> None:
    assert next_width(found, 100, covered, left) == width


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
    assert ctx.stats.queries == 2  # the last 5 minutes, then all the rest
    forward = select(QueryContext(ex), _query('{service_name="api"} |= "common" | drop pod'),
                     START, END, 3, backward=False)  # a Python stage: the same windows, oldest first
    assert [e.line for e in forward] == ["common line 0", "common line 1", "common line 2"]


def test_a_token_filter_query_reads_the_range_at_once(ex: Executor) -> None:
    ctx = QueryContext(ex)
    got = select(ctx, _query('{service_name=~".+"} |= " early "'), START, END, 10, backward=True)
    assert [e.ts for e in got] == [START + 2 * 3600 * S, START + 7 * S] and ctx.stats.queries == 1
