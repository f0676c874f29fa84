"""Structured log documents (Elasticsearch bulk sources, JSON lines) to :class:`LogRecord`.

Shippers name the same thing differently: Filebeat and Logstash write ECS (``@timestamp``,
``message``, ``log.level``, ``host.name``), Fluent Bit ``log`` or ``message`` with Kubernetes
metadata, application loggers ``msg``/``level``/``time``. The first key found wins; nested
objects are flattened to dotted keys so field filters see ``kubernetes.pod_name``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from meshscope.config import Settings
from meshscope.model.logs import (
    EARLIEST_NS,
    LogRecord,
    parse_severity,
    pick_service,
    sane_timestamp,
    trace_context,
)

BODY_KEYS = ("message", "msg", "log", "body", "MESSAGE", "event.original", "text")
TIME_KEYS = ("@timestamp", "timestamp", "time", "ts", "datetime", "date", "_time", "t", "eventTime")
LEVEL_KEYS = ("level", "log.level", "severity", "severity_text", "levelname", "lvl", "loglevel", "log_level",
              "priority", "PRIORITY", "syslog.severity.name", "loglevel.name")
HOST_KEYS = ("host.name", "host.hostname", "hostname", "host", "agent.hostname", "_HOSTNAME",
             "kubernetes.host", "kubernetes.node.name")
DOC_SERVICE_KEYS = ("service.name", "service_name", "service", "app", "application", "kubernetes.labels.app",
                    "kubernetes.labels.app_kubernetes_io/name", "kubernetes.container_name",
                    "kubernetes.container.name", "container.name", "container_name", "SYSLOG_IDENTIFIER",
                    "syslog.appname", "process.name")
_FRACTION = re.compile(r"^(.*T\d\d:\d\d:\d\d)(?:[.,](\d+))?(.*)$")


@dataclass(frozen=True)
class LogOptions:
    """Per-request decoding policy: receive time, line size cap, where the service name comes from."""

    observed_ns: int
    max_line_bytes: int = 1 << 20
    service_keys: tuple[str, ...] = ()
    earliest_ns: int = EARLIEST_NS  # older lines fall outside retention

    @classmethod
    def now(cls, settings: Settings) -> LogOptions:
        """The policy for lines arriving now under ``settings``."""
        now, s = time.time_ns(), settings.logs
        return cls(now, s.max_line_bytes, tuple(s.service_fields), now - int(settings.retention.logs * 1e9))


def truncate(line: str, limit: int) -> tuple[str, int]:
    """The line cut to ``limit`` UTF-8 bytes and its original size (0 when it fitted)."""
    if len(line) * 4 <= limit:
        return line, 0
    raw = line.encode("utf-8", "surrogatepass")
    if len(raw) <= limit:
        return line, 0
    return raw[:limit].decode("utf-8", "ignore"), len(raw)


def flatten(doc: Mapping[str, Any], prefix: str = "", out: dict[str, str] | None = None) -> dict[str, str]:
    """Nested objects as dotted keys; lists as JSON; scalars as text (``true``/``false`` for booleans)."""
    out = {} if out is None else out
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flatten(value, name + ".", out)
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, list):
            out[name] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        elif value is not None:
            out[name] = str(value)
    return out


def parse_time(value: Any) -> int | None:
    """Nanoseconds from RFC 3339 text or epoch numbers in s, ms, µs or ns (told apart by size)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str) and not value.strip().lstrip("-").replace(".", "", 1).isdigit():
        return _parse_rfc3339(value.strip())
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    magnitude = abs(number)
    scale = 10**9 if magnitude < 1e11 else 10**6 if magnitude < 1e14 else 10**3 if magnitude < 1e17 else 1
    if isinstance(value, str) and scale == 1:
        return int(value)
    whole = int(number)  # the fraction apart, so float rounding stays below a microsecond
    return whole * scale + round((number - whole) * scale)


def _parse_rfc3339(text: str) -> int | None:
    m = _FRACTION.match(text.replace(" ", "T", 1) if "T" not in text else text)
    if not m:
        return None
    head, fraction, zone = m.group(1), m.group(2) or "", m.group(3)
    zone = "+00:00" if zone in ("Z", "z", "") else zone
    try:
        seconds = datetime.fromisoformat(head + zone).timestamp()
    except ValueError:
        return None
    return int(seconds) * 1_000_000_000 + int((fraction + "000000000")[:9])


def _first(fields: Mapping[str, str], keys: tuple[str, ...]) -> tuple[str, str]:
    return next(((k, fields[k]) for k in keys if fields.get(k)), ("", ""))


def record_from_document(doc: Mapping[str, Any], opts: LogOptions, job: str,
                         extra_labels: Mapping[str, str] | None = None) -> LogRecord:
    """One structured document as a log record; the whole document is the body when no message key."""
    fields = flatten(doc)
    body_key, body = _first(fields, BODY_KEYS)
    if not body_key:
        body = json.dumps(doc, separators=(",", ":"), ensure_ascii=False, default=str)
    time_key = next((k for k in TIME_KEYS if k in fields), "")
    ts, replaced = sane_timestamp(parse_time(fields[time_key]) if time_key else None, opts.observed_ns,
                                  opts.earliest_ns)
    attrs = {k: v for k, v in fields.items() if k != body_key and (k != time_key or replaced)}
    if replaced:
        attrs["original_timestamp"] = attrs.pop(time_key)
    body, cut = truncate(body, opts.max_line_bytes)
    if cut:
        attrs["meshscope.truncated_bytes"] = str(cut)
    severity = parse_severity(_first(fields, LEVEL_KEYS)[1])
    service = (pick_service(fields, opts.service_keys) if opts.service_keys else "") \
        or pick_service(fields, DOC_SERVICE_KEYS) or "unknown_service"
    host = _first(fields, HOST_KEYS)[1]
    trace, span, flags = trace_context(fields)
    labels = {"service_name": service, "job": job, **(extra_labels or {})}
    if host:
        labels["host"] = host
    if severity.number:
        labels["level"] = severity.level
    return LogRecord(ts, opts.observed_ns, body, severity, service, host, labels, attrs, trace, span, flags)
