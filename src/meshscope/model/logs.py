"""One log model for every door (Loki push, Elasticsearch bulk, syslog, JSON lines, OTLP).

The ``logs`` table (``storage/schema/002_logs.sql``) holds one row per line:

============================  =====================================================================
column                        meaning
============================  =====================================================================
``timestamp``                 DateTime64(9) event time; the receive time when the line had none or
                              an absurd one (the original is kept in ``attributes['original_timestamp']``)
``observed_timestamp``        DateTime64(9) when meshscope (or the OTLP collector) received it
``trace_id``, ``span_id``     lowercase hex (32 / 16 chars) or '' — found in fields ``trace_id``,
                              ``traceId``, ``trace.id``, ``otelTraceID``, W3C ``traceparent``
``trace_flags``               UInt8 (OTLP flags, traceparent flags)
``severity_number``           1–24 as OpenTelemetry numbers them (0 = unknown): TRACE 1–4, DEBUG 5–8,
                              INFO 9–12, WARN 13–16, ERROR 17–20, FATAL 21–24
``severity_text``             OTLP: as sent; other doors: TRACE/DEBUG/INFO/WARN/ERROR/FATAL ('' unknown)
``service_name``              LowCardinality; also ``labels['service_name']``
``labels``                    stream labels LogQL selectors match. Always ``service_name``; Loki push:
                              the stream's labels as sent; syslog/ES/JSON lines: ``service_name``,
                              ``host``, ``job`` (the door: syslog, elasticsearch, jsonl), ``level``
                              (debug/info/warn/error/fatal/trace) when known, ``index`` for ES;
                              OTLP: selected resource attributes with '.' → '_'
``body``                      the line (token bloom filters ``tokenbf_v1``: per granule, and a small one per 16)
``scope_name``                OTLP scope; '' elsewhere
``resource_attributes``       OTLP resource; '' elsewhere
``attributes``                per-line fields (Loki structured metadata, flattened JSON/ES document
                              fields with dotted keys, syslog header fields ``syslog.*``)
============================  =====================================================================

Ordering key ``(service_name, timestamp)`` with ``bloom_filter`` indexes on ``trace_id`` and on
``key=value`` attribute items; see the schema for why. ``trace_id`` is read back from the line when
the line contains it (``trace_at``, ``trace_len``), else from ``trace_own``; inserts write it to the
ephemeral ``trace_in`` (``011_logs_token_filter.sql``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

NANOS = 1_000_000_000
EARLIEST_NS = 946_684_800 * NANOS  # 2000-01-01: older stamps are clock errors, not history
FUTURE_SLACK_NS = 86_400 * NANOS  # a day ahead: skewed clocks, not absurd ones

SEVERITY_WORDS = {
    "trace": 1, "finest": 1, "finer": 2, "verbose": 3, "debug": 5, "dbg": 5, "fine": 5, "d": 5,
    "info": 9, "information": 9, "informational": 9, "i": 9, "notice": 10, "warn": 13, "warning": 13,
    "w": 13, "err": 17, "error": 17, "e": 17, "severe": 17, "crit": 21, "critical": 21, "fatal": 21,
    "f": 21, "alert": 22, "emerg": 23, "emergency": 23, "panic": 23,
}
# syslog severity 0–7 (RFC 5424 §6.2.1) as OpenTelemetry numbers
SYSLOG_SEVERITY = (23, 22, 21, 17, 13, 10, 9, 5)
_PINO = {10: 1, 20: 5, 30: 9, 40: 13, 50: 17, 60: 21}
SEVERITY_BANDS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
_HEX = re.compile(r"[0-9a-f]+")
_TRACE_KEYS = ("trace_id", "traceId", "traceid", "trace.id", "otelTraceID", "TraceId")
_SPAN_KEYS = ("span_id", "spanId", "spanid", "span.id", "otelSpanID", "SpanId")
SERVICE_KEYS = ("service_name", "service.name", "service", "app", "application", "name",
                "app_kubernetes_io_name", "container", "container_name", "component", "workload", "job")


@dataclass(frozen=True)
class Severity:
    number: int = 0
    text: str = ""

    @property
    def level(self) -> str:
        """The word Loki uses for the ``level`` label."""
        return self.text.lower() if self.text else "unknown"


UNKNOWN = Severity()


@dataclass(frozen=True)
class LogRecord:
    """One log line as every door maps it; ``storage`` writes it to one ``logs`` row."""

    timestamp_ns: int
    observed_ns: int
    body: str
    severity: Severity = UNKNOWN
    service: str = "unknown_service"
    host: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, str] = field(default_factory=dict)
    trace_id: str = ""
    span_id: str = ""
    trace_flags: int = 0


def severity_from_number(n: int) -> Severity:
    """An OpenTelemetry severity number (clamped into 1–24)."""
    if n <= 0:
        return UNKNOWN
    n = min(n, 24)
    return Severity(n, SEVERITY_BANDS[(n - 1) // 4])


def parse_severity(value: object) -> Severity:
    """Severity from a level/priority/severity field: words ("warn", "WARNING", "err"), syslog
    numbers 0–7, logging/pino numbers (10, 20 … 60) and OpenTelemetry numbers 1–24."""
    if isinstance(value, bool) or value is None:
        return UNKNOWN
    if isinstance(value, (int, float)):
        return _severity_number(int(value))
    text = str(value).strip().lower()
    if not text:
        return UNKNOWN
    if text.isdigit():
        return _severity_number(int(text))
    number = SEVERITY_WORDS.get(text) or SEVERITY_WORDS.get(text.rstrip("0123456789"))
    return severity_from_number(number) if number else UNKNOWN


def _severity_number(n: int) -> Severity:
    if 0 <= n <= 7:
        return severity_from_number(SYSLOG_SEVERITY[n])
    if n % 10 == 0 and 10 <= n <= 60:  # pino / bunyan numbers (JSON loggers write numbers, Python words)
        return severity_from_number(_PINO[n])
    return severity_from_number(n) if n <= 24 else UNKNOWN


def clean_trace_id(value: object) -> str:
    """A 32-hex trace id (64-bit ids zero-padded) or ''."""
    text = str(value).strip().lower() if value is not None else ""
    if len(text) in (16, 32) and _HEX.fullmatch(text) and text.strip("0"):
        return text.zfill(32)
    return ""


def clean_span_id(value: object) -> str:
    text = str(value).strip().lower() if value is not None else ""
    return text if len(text) == 16 and _HEX.fullmatch(text) and text.strip("0") else ""


def trace_context(fields: Mapping[str, object]) -> tuple[str, str, int]:
    """Trace id, span id and flags named in a line's fields (own keys first, then ``traceparent``)."""
    trace = next((t for k in _TRACE_KEYS if k in fields and (t := clean_trace_id(fields[k]))), "")
    span = next((s for k in _SPAN_KEYS if k in fields and (s := clean_span_id(fields[k]))), "")
    flags = 0
    parent = fields.get("traceparent")
    if isinstance(parent, str):
        parts = parent.strip().lower().split("-")
        if len(parts) >= 4 and len(parts[0]) == 2 and clean_trace_id(parts[1]) and len(parts[1]) == 32:
            trace = trace or parts[1]
            span = span or clean_span_id(parts[2])
            flags = int(parts[3][:2], 16) if _HEX.fullmatch(parts[3][:2]) else 0
    return trace, span, flags


def sane_timestamp(ts_ns: int | None, observed_ns: int, earliest_ns: int = EARLIEST_NS) -> tuple[int, bool]:
    """The event time to store and whether the given one was replaced (missing or absurd).

    Absurd is before ``earliest_ns`` (older than retention: TTL would drop the line at once) or
    more than a day ahead; the receive time is stored instead so the line stays findable."""
    if ts_ns is None or ts_ns <= 0:
        return observed_ns, False
    if ts_ns < max(earliest_ns, EARLIEST_NS) or ts_ns > observed_ns + FUTURE_SLACK_NS:
        return observed_ns, True
    return ts_ns, False


def pick_service(fields: Mapping[str, str], keys: tuple[str, ...] = SERVICE_KEYS) -> str:
    """The first non-empty field among ``keys`` (Loki's service_name discovery order)."""
    return next((fields[k] for k in keys if fields.get(k)), "")
