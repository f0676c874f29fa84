"""The token bloom filter and the trace id index on real chDB: a rare token and a trace id read a
small fraction of the granules (``EXPLAIN indexes = 1``), and give the same lines as a full scan."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from tests.support.storage import migrated_chdb

from meshscope.logql.ast import LogQuery
from meshscope.logql.parser import parse
from meshscope.logql.sqlgen import filter_sql
from meshscope.storage.executor import Executor

LINES = 200_000
RARE_AT = 123_457
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Executor]:
    with migrated_chdb(tmp_path_factory.mktemp("tokens")) as ex:
        # Lines with a request id and a trace id each (both in the line), one rare token, and every
        # 50,000th line of the trace TRACE; merged to one part as a long-running server would be.
        ex.command(f"""INSERT INTO meshscope.logs (timestamp, service_name, labels, body, trace_in)
            SELECT fromUnixTimestamp64Nano(toInt64(1800000000000000000 + number * 1000000)), 'api',
                   map('service_name', 'api'), body, tid
            FROM (SELECT number, if(number % 50000 = 7, '{TRACE}', lower(hex(sipHash128(number)))) AS tid,
                         concat('level=info msg="handled" user=', toString(number % 997), ' req=',
                                lower(hex(sipHash64(number))), if(number = {RARE_AT}, ' [zq9xkrare]', ''),
                                ' trace_id=', tid) AS body
                  FROM numbers({LINES}))""")
        ex.command("OPTIMIZE TABLE meshscope.logs FINAL")
        yield ex


def _granules(ex: Executor, where: str, index: str) -> tuple[int, int]:
    plan = "\n".join(r["explain"] for r in ex.rows(f"EXPLAIN indexes = 1 SELECT count() FROM meshscope.logs {where}"))
    found = re.search(rf"Name: {index}\n.*?Granules: (\d+)/(\d+)", plan, re.S)
    assert found, plan
    return int(found.group(1)), int(found.group(2))


def _where(logql: str) -> str:
    q = parse(logql)
    assert isinstance(q, LogQuery)
    return filter_sql(q, "1")


def test_rare_token_reads_few_granules_and_finds_its_line(ex: Executor) -> None:
    where = _where('{service_name="api"} |= "[zq9xkrare]"')
    assert "hasToken(body, 'zq9xkrare')" in where
    read, _ = _granules(ex, where, "idx_tokens")
    _, total = _granules(ex, where, "idx_tokens_coarse")  # the first filter sees every granule
    assert total >= LINES // 1024 and read <= total // 10  # ~3% false positives with 3 ids a line
    rows = ex.rows(f"SELECT body FROM meshscope.logs {where}")
    assert len(rows) == 1 and "[zq9xkrare]" in rows[0]["body"]
    scan = ex.rows("SELECT count() AS n FROM meshscope.logs WHERE position(body, '[zq9xkrare]') > 0")
    assert scan == [{"n": 1}]


def test_small_filter_is_checked_first_and_the_large_one_only_where_it_let_through(ex: Executor) -> None:
    where = _where('{service_name="api"} |= "[zq9xkrare]"')
    plan = "\n".join(r["explain"] for r in ex.rows(f"EXPLAIN indexes = 1 SELECT count() FROM meshscope.logs {where}"))
    coarse = re.search(r"Name: idx_tokens_coarse\n.*?Granules: (\d+)/(\d+)", plan, re.S)
    fine = re.search(r"Name: idx_tokens\n.*?Granules: (\d+)/(\d+)", plan, re.S)
    assert coarse and fine and coarse.start() < fine.start(), plan
    left, total = int(coarse.group(1)), int(coarse.group(2))
    # Two random ids a line fill half its bits (the benchmark's lines left 6% of the blocks), yet it
    # skips whole blocks of 16 granules whose filter the large one then never reads.
    assert total >= LINES // 1024 and left <= total * 3 // 4
    assert int(fine.group(2)) == left and int(fine.group(1)) <= left  # the large filter read only there


def test_trace_id_in_the_line_is_looked_up_by_its_index(ex: Executor) -> None:
    where = f"WHERE trace_id = '{TRACE}'"
    read, total = _granules(ex, where, "idx_trace_id")
    assert read <= 8 and total >= LINES // 1024
    rows = ex.rows(f"SELECT body, trace_id, trace_own FROM meshscope.logs {where} ORDER BY timestamp")
    assert len(rows) == LINES // 50000
    assert all(r["trace_id"] == TRACE and r["trace_own"] == "" and r["body"].endswith(TRACE) for r in rows)


def test_bare_word_still_means_a_substring(ex: Executor) -> None:
    where = _where('{service_name="api"} |= "q9xkrar"')  # inside a token: no filter can skip, all lines read
    assert "hasToken" not in where
    assert ex.rows(f"SELECT count() AS n FROM meshscope.logs {where}") == [{"n": 1}]
