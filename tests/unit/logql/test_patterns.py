"""Pattern mining and field typing for the drilldown endpoints: lines in, templates and counts out."""

from __future__ import annotations

import pytest

from meshscope.logql.detected import field_type
from meshscope.logql.pattern import compile_line_pattern
from meshscope.logql.patterns import mine, tokens

S = 10**9


@pytest.mark.parametrize("lines,expected", [
    (["user 1 logged in", "user 22 logged in", "user 3 logged out"],
     [("user <_> logged <_>", 3)]),
    (["level=info msg=ok took=3ms", "level=info msg=ok took=15ms", "level=warn msg=slow took=900ms"],
     [("level=info msg=ok took=<_>", 2), ("level=warn msg=slow took=<_>", 1)]),
    (["GET /a 200", "GET /b 200", "connection reset by peer"],
     [("GET <_> <_>", 2), ("connection reset by peer", 1)]),
    (["a b c d", "a b c d", "a b c d e"], [("a b c d", 2), ("a b c d e", 1)]),
])
def test_templates_and_counts(lines: list[str], expected: list[tuple[str, int]]) -> None:
    level = {"level=warn msg=slow took=900ms": "warn"}
    found = mine([(i * S, line, level.get(line, "info")) for i, line in enumerate(lines)], 0, 60 * S, 10)
    assert [(p["pattern"], sum(n for _, n in p["samples"])) for p in found] == expected


def test_samples_are_per_step_in_seconds() -> None:
    found = mine([(t * S, "tick", "info") for t in (0, 5, 10, 25, 31)], 0, 10 * S, 10)
    assert found == [{"pattern": "tick", "level": "info", "samples": [[0, 2], [10, 1], [20, 1], [30, 1]]}]


def test_every_line_matches_its_template_as_a_pattern_filter() -> None:
    lines = [f"order ord_{i:x} for user {i % 7} took {i * 3}ms status={200 if i % 4 else 500}" for i in range(50)]
    for p in mine([(i, line, "info") for i, line in enumerate(lines)], 0, S, 10):
        assert sum(compile_line_pattern(p["pattern"]).test(line) for line in lines) >= p["samples"][0][1]


def test_numbers_and_ids_are_variable_from_the_start() -> None:
    assert tokens("took 15ms id=ab12 from 10.0.0.1 user") == [
        "took", " ", "<_>", " ", "id=", "<_>", " ", "from", " ", "<_>", " ", "user"]


@pytest.mark.parametrize("value,kind", [("42", "int"), ("-3", "int"), ("2.5", "float"), ("1e3", "float"),
                                        ("true", "boolean"), ("F", "boolean"), ("250ms", "duration"),
                                        ("1h30m", "duration"), ("10KB", "bytes"), ("5MiB", "bytes"),
                                        ("hello", "string"), ("", "string")])
def test_field_types(value: str, kind: str) -> None:
    assert field_type(value) == kind
