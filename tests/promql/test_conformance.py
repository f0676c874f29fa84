"""Every eval of Prometheus 2.42's PromQL test files (and of ours) as one pytest item.

Cases listed in ``known_failures.txt`` are marked ``xfail(strict=True)``: fixing one turns the run
red until the list shrinks, so the list can only be honest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from meshscope.promql.memory import MemorySource
from promql.harness import run_case, source_for
from promql.promqltest import EvalCase, parse_file

HERE = Path(__file__).parent
FILES = sorted((HERE / "testdata").glob("*/*.test"))


def _known_failures() -> dict[str, str]:
    path = HERE / "known_failures.txt"
    if not path.exists():
        return {}
    entries = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            case_id, _, reason = line.partition(" ")
            entries[case_id] = reason.strip()
    return entries


def _params() -> list[object]:
    known = _known_failures()
    params = []
    for path in FILES:
        for case in parse_file(path):
            marks = [pytest.mark.xfail(strict=True, reason=known[case.id])] if case.id in known else []
            params.append(pytest.param(case, id=case.id, marks=marks))
    return params


_sources: dict[int, MemorySource] = {}


@pytest.mark.parametrize("case", _params())
def test_case(case: EvalCase) -> None:
    source = _sources.get(id(case.data))
    if source is None:
        source = _sources[id(case.data)] = source_for(case)
    run_case(case, source)


def test_known_failures_name_real_cases() -> None:
    ids = {case.id for path in FILES for case in parse_file(path)}
    assert not set(_known_failures()) - ids, "known_failures.txt lists cases that do not exist"
