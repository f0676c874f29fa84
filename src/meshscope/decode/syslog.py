"""syslog messages (RFC 5424 and RFC 3164) to log records.

``logger`` and rsyslog send either form. The priority gives facility and severity; APP-NAME (or
the 3164 TAG) is the service and HOSTNAME the host. A message that fits neither form is kept
whole as the body (RFC 3164 §4.3.3 asks relays to do the same) and marked ``syslog.malformed``.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

from meshscope.decode.log_fields import LogOptions, parse_time, truncate
from meshscope.model.logs import (
    SYSLOG_SEVERITY,
    UNKNOWN,
    LogRecord,
    pick_service,
    sane_timestamp,
    severity_from_number,
    trace_context,
)

FACILITIES = ("kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
              "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3",
              "local4", "local5", "local6", "local7")
_PRI = re.compile(rb"^<(\d{1,3})>")
_SD = r"-|\[.*?[^\\]\](?:\[.*?[^\\]\])*"  # nil, or SD elements whose ']' is not escaped
_RFC5424 = re.compile(rf"^(\d{{1,2}}) (\S+) (\S+) (\S+) (\S+) (\S+) ({_SD})(?: (.*))?$", re.DOTALL)
_SD_ELEMENT = re.compile(r'\[([^\s\]=]+)((?:\s+[^\s=\]]+="(?:[^"\\]|\\.)*")*)\s*\]')
_SD_PARAM = re.compile(r'([^\s=\]]+)="((?:[^"\\]|\\.)*)"')
_RFC3164 = re.compile(r"^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?:(\S+) )?([^\s:\[]{1,48})(?:\[([^\]]*)\])?: ?(.*)$",
                      re.DOTALL)
_BOM = "\ufeff"


def _nil(value: str) -> str:
    return "" if value == "-" else value


def parse_message(data: bytes, opts: LogOptions, peer: str = "") -> LogRecord | None:
    """One syslog message (without its transport framing); None for an empty one."""
    data = data.rstrip(b"\r\n\x00")
    if not data.strip():
        return None
    m = _PRI.match(data)
    pri = int(m.group(1)) if m else -1
    text = data[m.end():].decode("utf-8", "replace") if m else data.decode("utf-8", "replace")
    if not m or pri > 191:
        return _malformed(data.decode("utf-8", "replace"), opts, peer)
    five = _RFC5424.match(text)
    if five and five.group(1) == "1":
        return _rfc5424(pri, five, opts, peer)
    three = _RFC3164.match(text)
    if three:
        return _rfc3164(pri, three, opts, peer)
    return _record(pri, text, None, "", "", {"syslog.malformed": "true"}, opts, peer)


def _rfc5424(pri: int, m: re.Match[str], opts: LogOptions, peer: str) -> LogRecord:
    _, stamp, host, app, procid, msgid, sd, msg = m.groups()
    attrs = {"syslog.procid": _nil(procid), "syslog.msgid": _nil(msgid)}
    for element in _SD_ELEMENT.finditer(sd if sd != "-" else ""):
        for key, value in _SD_PARAM.findall(element.group(2)):
            attrs[f"{element.group(1)}.{key}"] = re.sub(r"\\([\"\\\]])", r"\1", value)
    body = (msg or "").removeprefix(_BOM)
    return _record(pri, body, parse_time(_nil(stamp)), _nil(host), _nil(app), attrs, opts, peer)


def _rfc3164(pri: int, m: re.Match[str], opts: LogOptions, peer: str) -> LogRecord:
    stamp, host, tag, pid, msg = m.groups()
    return _record(pri, msg, _bsd_time(stamp, opts.observed_ns), host or "", tag,
                   {"syslog.procid": pid or ""}, opts, peer)


def _bsd_time(stamp: str, observed_ns: int) -> int | None:
    """``Mmm dd hh:mm:ss`` in the receiver's local time; the year is the one that is not in the future."""
    year = time.localtime(observed_ns / 1e9).tm_year
    for y in (year, year - 1):
        try:
            parsed = datetime.strptime(f"{y} {stamp.replace('  ', ' 0')}", "%Y %b %d %H:%M:%S")
        except ValueError:
            return None
        ns = int(parsed.timestamp()) * 1_000_000_000
        if ns <= observed_ns + 86_400 * 1_000_000_000:
            return ns
    return None


def _malformed(text: str, opts: LogOptions, peer: str) -> LogRecord:
    return _record(-1, text, None, "", "", {"syslog.malformed": "true"}, opts, peer)


def _record(pri: int, body: str, ts: int | None, host: str, app: str, attrs: dict[str, str],
            opts: LogOptions, peer: str) -> LogRecord:
    attrs = {k: v for k, v in attrs.items() if v}
    severity = UNKNOWN
    if pri >= 0:
        facility = pri >> 3
        severity = severity_from_number(SYSLOG_SEVERITY[pri & 7])
        attrs["syslog.facility"] = FACILITIES[facility] if facility < len(FACILITIES) else str(facility)
        attrs["syslog.severity"] = str(pri & 7)
    if peer:
        attrs["net.peer.ip"] = peer
    stamp, replaced = sane_timestamp(ts, opts.observed_ns, opts.earliest_ns)
    if replaced and ts is not None:
        attrs["original_timestamp"] = str(ts)
    body, cut = truncate(body, opts.max_line_bytes)
    if cut:
        attrs["meshscope.truncated_bytes"] = str(cut)
    service = (pick_service(attrs, opts.service_keys) if opts.service_keys else "") or app or "unknown_service"
    host = host or peer
    labels = {"service_name": service, "job": "syslog"}
    if host:
        labels["host"] = host
    if severity.number:
        labels["level"] = severity.level
    trace, span, flags = trace_context({k.rsplit(".", 1)[-1]: v for k, v in attrs.items()})  # SD-ID.param
    return LogRecord(stamp, opts.observed_ns, body, severity, service, host, labels, attrs, trace, span, flags)
