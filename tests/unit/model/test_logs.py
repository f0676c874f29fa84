"""Severity, trace context and timestamp normalisation of the one log model."""

from __future__ import annotations

import pytest

from meshscope.model.logs import (
    EARLIEST_NS,
    NANOS,
    clean_trace_id,
    parse_severity,
    sane_timestamp,
    severity_from_number,
    trace_context,
)


@pytest.mark.parametrize("value, number, text", [
    ("warn", 13, "WARN"), ("WARNING", 13, "WARN"), ("Warning", 13, "WARN"), ("err", 17, "ERROR"),
    ("ERROR", 17, "ERROR"), ("error2", 17, "ERROR"), ("info", 9, "INFO"), ("notice", 10, "INFO"),
    ("informational", 9, "INFO"), ("debug", 5, "DEBUG"), ("trace", 1, "TRACE"), ("fatal", 21, "FATAL"),
    ("CRITICAL", 21, "FATAL"), ("crit", 21, "FATAL"), ("emerg", 23, "FATAL"), ("panic", 23, "FATAL"),
    ("alert", 22, "FATAL"), ("E", 17, "ERROR"),
    (0, 23, "FATAL"), ("3", 17, "ERROR"), (4, 13, "WARN"), (6, 9, "INFO"), (7, 5, "DEBUG"),  # syslog
    (30, 9, "INFO"), (50, 17, "ERROR"), (60, 21, "FATAL"), (10, 1, "TRACE"),  # pino / bunyan
    (17, 17, "ERROR"), (9, 9, "INFO"), (24, 24, "FATAL"),  # OpenTelemetry numbers
    ("", 0, ""), ("loud", 0, ""), (None, 0, ""), (True, 0, ""), (999, 0, ""),
])
def test_parse_severity(value: object, number: int, text: str) -> None:
    sev = parse_severity(value)
    assert (sev.number, sev.text) == (number, text)


def test_severity_level_word() -> None:
    assert severity_from_number(14).level == "warn"
    assert parse_severity("nonsense").level == "unknown"
    assert severity_from_number(99).number == 24


@pytest.mark.parametrize("fields, expected", [
    ({"trace_id": "0AF7651916CD43DD8448EB211C80319C"}, ("0af7651916cd43dd8448eb211c80319c", "", 0)),
    ({"traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331"},
     ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", 0)),
    ({"trace.id": "8448eb211c80319c"}, ("00000000000000008448eb211c80319c", "", 0)),
    ({"otelTraceID": "0af7651916cd43dd8448eb211c80319c", "otelSpanID": "b7ad6b7169203331"},
     ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", 0)),
    ({"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
     ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", 1)),
    ({"traceparent": "garbage"}, ("", "", 0)),
    ({"trace_id": "00000000000000000000000000000000"}, ("", "", 0)),
    ({"trace_id": "xyz"}, ("", "", 0)),
    ({}, ("", "", 0)),
])
def test_trace_context(fields: dict[str, str], expected: tuple[str, str, int]) -> None:
    assert trace_context(fields) == expected


def test_clean_trace_id_rejects_wrong_lengths() -> None:
    assert clean_trace_id("abc") == "" and clean_trace_id(None) == ""


def test_sane_timestamp() -> None:
    now = 1_800_000_000 * NANOS
    assert sane_timestamp(None, now) == (now, False)
    assert sane_timestamp(0, now) == (now, False)
    assert sane_timestamp(now - NANOS, now) == (now - NANOS, False)
    assert sane_timestamp(EARLIEST_NS - 1, now) == (now, True)
    assert sane_timestamp(now + 2 * 86_400 * NANOS, now) == (now, True)
    assert sane_timestamp(now - 10 * NANOS, now, earliest_ns=now - NANOS) == (now, True)
