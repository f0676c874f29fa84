"""Line filters with the token filter in front (``hasToken`` for the literal's whole tokens, in PREWHERE)
keep Loki's exact answers.

Lines differ in case, in Unicode letters that fold to ASCII (Kelvin sign, long s) and in where words
sit inside tokens; expected answers come from Python's ``in`` and ``re`` over the same lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from meshscope.logql.engine import LogQLEngine
from support.log_table import Row, engine_over, lines_found, recent_base

S = 10**9
BODIES = [
    "request timeout after 3s",
    "Timeout waiting for lock",
    "TIMEOUT",
    "xtimeoutx in a token",
    "time out, spelled apart",
    "status=500 user_id=4123 done",
    "status=200 user_id=41234 done",
    "\u017ftatus=500 long s",
    "\u212aelvin sign: okay",
    "kelvin plain: okay",
    "user_id=4999",
    "nothing to see",
]
BASE = recent_base()


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LogQLEngine]:
    rows = [Row({"service_name": "svc", "env": "prod" if i % 2 else "dev"}, body) for i, body in enumerate(BODIES)]
    with engine_over(tmp_path_factory.mktemp("tokens"), rows, BASE) as engine:
        yield engine


def found(engine: LogQLEngine, query: str) -> list[str]:
    return lines_found(engine, query, BASE)


def counted(engine: LogQLEngine, query: str) -> int:
    data = engine.query_instant(f"sum(count_over_time({query} [2m]))", BASE + 60 * S)
    return sum(int(float(s["value"][1])) for s in data["result"])


CASES = [
    ('|= "timeout"', lambda b: "timeout" in b),
    ('|= "Timeout"', lambda b: "Timeout" in b),
    ('|= "status=500"', lambda b: "status=500" in b),
    ('|= "timeout" or "okay"', lambda b: "timeout" in b or "okay" in b),
    ('!= "timeout"', lambda b: "timeout" not in b),
    ('|~ "(?i)timeout"', lambda b: re.search("(?i)timeout", b)),
    ('|~ "(?i)status=500"', lambda b: re.search("(?i)status=500", b)),
    ('|~ "(?i)kelvin"', lambda b: re.search("(?i)kelvin", b)),
    ('|~ "user_id=4[0-9]{3}\\\\b"', lambda b: re.search(r"user_id=4[0-9]{3}\b", b)),
    ('|~ "time(out)+"', lambda b: re.search("time(out)+", b)),
    ('|~ "request|lock"', lambda b: re.search("request|lock", b)),
    ('|~ "timeout"', lambda b: "timeout" in b),
    ('|~ "user_id=4|okay|TIMEOUT"', lambda b: re.search("user_id=4|okay|TIMEOUT", b)),
    ('!~ "user_id=4|okay"', lambda b: not re.search("user_id=4|okay", b)),
    ('!~ "timeout|okay"', lambda b: not re.search("timeout|okay", b)),
    ('|= "timeout" |~ "lock|after"', lambda b: "timeout" in b and re.search("lock|after", b)),
    ('|= " timeout "', lambda b: " timeout " in b),  # a whole token: the token filter skips granules first
    ('|= "_id=4123 "', lambda b: "_id=4123 " in b),  # two whole tokens, "id" and "4123"
    ('|= " Kelvin "', lambda b: " Kelvin " in b),  # case-sensitive as Loki's |=: no line has it
    ('|~ "status=500 user_id=4[0-9]+ "', lambda b: re.search(r"status=500 user_id=4[0-9]+ ", b)),  # "user", "id"
    ('|~ "ng (for|to) l"', lambda b: re.search(r"ng (for|to) l", b)),  # alternatives: no token is certain
    ('|> "<_> timeout <_>"', lambda b: re.fullmatch(r".+ timeout .+", b)),  # a pattern's whole tokens too
    ('!> "<_> user_id=<_> done"', lambda b: not re.fullmatch(r".+ user_id=.+ done", b)),
]


@pytest.mark.parametrize("pipeline,keep", CASES, ids=[p for p, _ in CASES])
def test_filters_answer_exactly(engine: LogQLEngine, pipeline: str, keep: object) -> None:
    expected = sorted(b for b in BODIES if keep(b))  # type: ignore[operator]
    assert found(engine, f'{{service_name="svc"}} {pipeline}') == expected
    assert counted(engine, f'{{service_name="svc"}} {pipeline}') == len(expected)


def test_label_matchers_still_apply_after_line_filters(engine: LogQLEngine) -> None:
    expected = sorted(b for i, b in enumerate(BODIES) if i % 2 and "timeout" in b)
    assert found(engine, '{env="prod"} |= "timeout"') == expected
    assert counted(engine, '{env="prod"} |= "timeout" | env="prod"') == len(expected)
