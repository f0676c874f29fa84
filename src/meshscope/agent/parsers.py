"""Structured line parsers (JSON, logfmt, regex with named groups) and severity detection."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from meshscope.agent.config import Parser
from meshscope.agent.container import parse_rfc3339_ns
from meshscope.agent.records import LogEntry

# OpenTelemetry severity numbers of the first level in each range.
SEVERITIES: dict[str, int] = {"trace": 1, "debug": 5, "info": 9, "notice": 10, "warn": 13, "warning": 13,
                              "error": 17, "err": 17, "fatal": 21, "critical": 21, "crit": 21,
                              "emerg": 21, "alert": 21, "panic": 21, "dbg": 5, "inf": 9, "wrn": 13}
_LEVEL_WORD = re.compile(r"\b(TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|ERR|FATAL|CRITICAL|CRIT|PANIC)\b",
                         re.IGNORECASE)
_LOGFMT = re.compile(r'([\w.\-/]+)=("(?:[^"\\]|\\.)*"|[^\s]*)')


def _flatten(prefix: str, value: object, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(value, str):
        out[prefix] = value
    else:
        out[prefix] = json.dumps(value)


def parse_json(text: str) -> dict[str, str] | None:
    if not text.startswith("{"):
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    out: dict[str, str] = {}
    _flatten("", doc, out)
    return out


def parse_logfmt(text: str) -> dict[str, str] | None:
    pairs = _LOGFMT.findall(text)
    if not pairs:
        return None
    return {k: (v[1:-1].replace('\\"', '"') if v.startswith('"') else v) for k, v in pairs}


def regex_parser(pattern: str) -> Callable[[str], dict[str, str] | None]:
    rx = re.compile(pattern)

    def parse(text: str) -> dict[str, str] | None:
        m = rx.search(text)
        return {k: v for k, v in m.groupdict().items() if v is not None} if m else None

    return parse


class FieldParser:
    """Turns a record's body into attributes; the message field becomes the body."""

    def __init__(self, spec: Parser) -> None:
        self.spec = spec
        self.parse = {"json": parse_json, "logfmt": parse_logfmt}.get(spec.type) or regex_parser(spec.pattern)

    def apply(self, entry: LogEntry) -> None:
        fields = self.parse(entry.body)
        if not fields:
            return
        message = fields.pop(self.spec.message_field, None)
        level = fields.pop(self.spec.severity_field, None)
        if level:
            entry.severity_text = level
            entry.severity_number = SEVERITIES.get(level.lower(), 0)
        if self.spec.time_field and self.spec.time_field in fields:
            entry.time_ns = parse_rfc3339_ns(fields.pop(self.spec.time_field)) or entry.time_ns
        if message is not None:
            entry.body = message
        entry.attributes.update(fields)


def detect_severity(entry: LogEntry) -> None:
    """The first level word in the first 200 characters, when no parser set one."""
    if entry.severity_number:
        return
    m = _LEVEL_WORD.search(entry.body, 0, 200)
    if m:
        word = m.group(1)
        entry.severity_text = word.upper()
        entry.severity_number = SEVERITIES[word.lower()]
