"""Exposition parsing: the text format and OpenMetrics, edge cases as a table."""

from __future__ import annotations

import math

import pytest

from meshscope.decode.prometheus.exposition import parse
from meshscope.errors import BadData

OM = "application/openmetrics-text; version=1.0.0; charset=utf-8"


@pytest.mark.parametrize("line, name, labels, value, ts", [
    ("a 1", "a", (), 1.0, None),
    ("a{} 1 1000", "a", (), 1.0, 1000),
    ('a{x="1",y="2",} -2.5e3', "a", (("x", "1"), ("y", "2")), -2500.0, None),
    (r'a{x="q\"uo\\te\nnl"} +Inf', "a", (("x", 'q"uo\\te\nnl'),), math.inf, None),
    ("a:b_c -Inf", "a:b_c", (), -math.inf, None),
    ('  a { x = "1" }  7  ', "a", (("x", "1"),), 7.0, None),
    ('a{x="ünïcödé"} 1', "a", (("x", "ünïcödé"),), 1.0, None),
])
def test_text_lines(line: str, name: str, labels: tuple[tuple[str, str], ...], value: float, ts: int | None) -> None:
    s = parse(line + "\n").samples[0]
    assert (s.name, s.labels, s.value, s.timestamp_ms) == (name, labels, value, ts)


def test_nan_and_metadata() -> None:
    e = parse("# HELP m Some help\\nmore\n# TYPE m gauge\n# just a comment\nm NaN\n")
    assert math.isnan(e.samples[0].value)
    assert e.metadata == {"m": {"type": "gauge", "help": "Some help\nmore", "unit": ""}}


@pytest.mark.parametrize("body, words", [
    ("a{x=1} 1\n", "invalid label set"),
    ('a{x="1" 1\n', "expected , or }"),
    ("1a 1\n", "invalid metric name"),
    ("a one\n", "invalid value"),
    ("a 1 2 3\n", "expected a value"),
    ("a\n", "expected a value"),
    ("a 1 12.5\n", "invalid timestamp"),
    ("# TYPE a bogus\n", "invalid metric type"),
    ('ok 1\nbad{"x"} 1\n', "line 2"),
])
def test_text_errors_name_the_line(body: str, words: str) -> None:
    with pytest.raises(BadData, match=words):
        parse(body)


def test_openmetrics_timestamps_exemplars_and_eof() -> None:
    body = ('# TYPE c counter\n# UNIT c seconds\nc_total{a="b"} 2 1.5 # {trace_id="abc"} 1.0 1.25\n'
            "c_created 1.0\n# EOF\n")
    e = parse(body, OM)
    s = e.samples[0]
    assert (s.name, s.value, s.timestamp_ms) == ("c_total", 2.0, 1500)
    assert s.exemplar == ((("trace_id", "abc"),), 1.0, 1250)
    assert e.metadata["c"] == {"type": "counter", "help": "", "unit": "seconds"}
    with pytest.raises(BadData, match="EOF"):
        parse("a 1\n", OM)
    with pytest.raises(BadData, match="after # EOF"):
        parse("a 1\n# EOF\nb 2\n", OM)
