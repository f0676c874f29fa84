"""Loki push requests (``POST /loki/api/v1/push``) to log streams.

Two encodings: JSON (``{"streams": [{"stream": {labels}, "values": [["<ns>", "line", {metadata}]]}]}``,
plus the older ``labels``/``entries`` form) and ``logproto.PushRequest`` protobuf, snappy block
compressed (Promtail, Vector, Grafana Alloy). Lines with an unusable timestamp or line are
refused one by one, as Loki does; the rest are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import cramjam
from google.protobuf.message import DecodeError

from meshscope.decode import fastjson
from meshscope.decode.log_fields import LogOptions, parse_time, truncate
from meshscope.decode.loki_proto import PushRequest
from meshscope.errors import BadData
from meshscope.model.log_streams import DecodedLogs, StreamRows
from meshscope.model.logs import (
    EARLIEST_NS,
    FUTURE_SLACK_NS,
    SERVICE_KEYS,
    UNKNOWN,
    Severity,
    parse_severity,
    pick_service,
    trace_context,
)

PROTOBUF_TYPES = ("application/x-protobuf", "application/protobuf")
LEVEL_LABELS = ("level", "severity", "detected_level", "lvl", "loglevel", "log_level")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_.]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,|$)')
_ESCAPES = {"\\\\": "\\", '\\"': '"', "\\n": "\n", "\\t": "\t"}


def parse_labels(text: str) -> dict[str, str]:
    """``{job="api", host="a"}`` (Prometheus label syntax, as Promtail sends it) to a dict."""
    inner = text.strip()
    if not (inner.startswith("{") and inner.endswith("}")):
        raise BadData(f"stream labels {text[:200]!r} are not of the form {{name=\"value\", ...}}")
    inner, out, pos = inner[1:-1].strip(), {}, 0
    while pos < len(inner):
        m = _LABEL.match(inner, pos)
        if not m:
            raise BadData(f"stream labels {text[:200]!r}: cannot parse at character {pos + 1}")
        out[m.group(1)] = re.sub(r"\\.", lambda e: _ESCAPES.get(e.group(0), e.group(0)), m.group(2))
        pos = m.end()
    return out


class _StreamBuilder:
    """Fills one stream's columns; per-line metadata is rare, so its columns are patched in at the end."""

    def __init__(self, labels: Mapping[str, str], opts: LogOptions) -> None:
        service = pick_service(labels, opts.service_keys or SERVICE_KEYS) or "unknown_service"
        self.rows = StreamRows(service, {**labels, "service_name": labels.get("service_name") or service},
                               opts.observed_ns)
        level = next((labels[k] for k in LEVEL_LABELS if labels.get(k)), "")
        self.severity = parse_severity(level) if level else UNKNOWN
        self.opts = opts
        self.latest = opts.observed_ns + FUTURE_SLACK_NS
        self.earliest = max(opts.earliest_ns, EARLIEST_NS)
        self.extras: dict[int, tuple[dict[str, str], str, str, int, Severity]] = {}

    def add(self, ts: int, line: str, metadata: Mapping[str, str] | None) -> None:
        attrs: dict[str, str] = dict(metadata) if metadata else {}
        if ts < self.earliest or ts > self.latest:
            if ts > 0:
                attrs["original_timestamp"] = str(ts)
            ts = self.opts.observed_ns
        if len(line) * 4 > self.opts.max_line_bytes:
            line, cut = truncate(line, self.opts.max_line_bytes)
            if cut:
                attrs["meshscope.truncated_bytes"] = str(cut)
        if attrs:
            trace, span, flags = trace_context(attrs)
            level = next((attrs[k] for k in LEVEL_LABELS if attrs.get(k)), "")
            severity = parse_severity(level) if level else self.severity
            self.extras[len(self.rows.ts)] = (attrs, trace, span, flags, severity)
        self.rows.ts.append(ts)
        self.rows.body.append(line)

    def add_plain(self, values: list[Any]) -> bool:
        """Take ``values`` in bulk if every entry is a plain ``["<ns>", "line"]`` with a usable time and a
        short line (what shippers send); else take nothing, and the caller goes entry by entry."""
        # map() with builtins keeps the checks at C speed: this runs for every line pushed
        if set(map(type, values)) != {list} or set(map(len, values)) != {2}:
            return False
        stamps, lines = zip(*values, strict=True)
        if set(map(type, stamps)) != {str} or set(map(type, lines)) != {str} or not all(map(str.isdigit, stamps)):
            return False
        try:
            ns = list(map(int, stamps))
        except ValueError:  # digits int() does not read ('²')
            return False
        if min(ns) < self.earliest or max(ns) > self.latest or max(map(len, lines)) * 4 > self.opts.max_line_bytes:
            return False
        self.rows.ts.extend(ns)
        self.rows.body.extend(lines)
        return True

    def finish(self) -> StreamRows:
        rows, n = self.rows, len(self.rows.ts)
        rows.attributes, rows.trace_id, rows.span_id = [{}] * n, [""] * n, [""] * n
        rows.trace_flags = [0] * n
        rows.severity_text, rows.severity_number = [self.severity.text] * n, [self.severity.number] * n
        for i, (attrs, trace, span, flags, sev) in self.extras.items():
            rows.attributes[i], rows.trace_id[i], rows.span_id[i], rows.trace_flags[i] = attrs, trace, span, flags
            rows.severity_text[i], rows.severity_number[i] = sev.text, sev.number
        return rows


class _Refusals:
    def __init__(self) -> None:
        self.count, self.reason = 0, ""

    def add(self, reason: str, n: int = 1) -> None:
        self.count += n
        self.reason = self.reason or reason


def decode_push(body: bytes, content_type: str, opts: LogOptions) -> DecodedLogs:
    """A push body (already without gzip Content-Encoding) in the encoding ``content_type`` names."""
    media = (content_type or "application/json").split(";")[0].strip().lower()
    if media in PROTOBUF_TYPES:
        return decode_protobuf(body, opts)
    return decode_json(body, opts)


def decode_json(body: bytes, opts: LogOptions) -> DecodedLogs:
    try:
        doc = fastjson.loads(body)
    except ValueError:
        try:  # invalid UTF-8 becomes U+FFFD, as Loki (Go) reads it, rather than failing every line
            doc = fastjson.loads(body.decode("utf-8", "replace"))
        except ValueError as exc:
            raise BadData(f"push body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("streams"), list):
        raise BadData('push body must be a JSON object with a "streams" array')
    refused, streams = _Refusals(), []
    for stream in doc["streams"]:
        builder = _json_stream(stream, opts, refused)
        if builder is not None:
            streams.append(builder.finish())
    return DecodedLogs(streams, refused.count, refused.reason)


def _json_stream(stream: Any, opts: LogOptions, refused: _Refusals) -> _StreamBuilder | None:
    if not isinstance(stream, dict):
        refused.add("a stream is not a JSON object")
        return None
    values, labels = stream.get("values"), stream.get("stream")
    if values is None and "entries" in stream:  # the pre-v1 form: labels as text, entries as objects
        values = [[e.get("ts"), e.get("line")] for e in stream["entries"] if isinstance(e, dict)]
        labels = _labels_or_refuse(stream.get("labels", "{}"), len(values), refused)
        if labels is None:
            return None
    if not isinstance(values, list) or not isinstance(labels, dict):
        refused.add('a stream needs a "stream" object of labels and a "values" array',
                    len(values) if isinstance(values, list) else 1)
        return None
    builder = _StreamBuilder({str(k): str(v) for k, v in labels.items()}, opts)
    if builder.add_plain(values):
        return builder
    for value in values:
        try:
            ts, line = value[0], value[1]
            ns = int(ts) if isinstance(ts, str) and ts.isdigit() else parse_time(ts)
        except (TypeError, IndexError, KeyError, ValueError):
            ns, line = None, None
        if ns is None or not isinstance(line, str):
            refused.add(f"entry {str(value)[:100]} is not [\"<unix ns>\", \"<line>\", {{metadata}}]")
            continue
        meta = value[2] if len(value) > 2 and isinstance(value[2], dict) else None
        builder.add(ns, line, {str(k): str(v) for k, v in meta.items()} if meta else None)
    return builder


def _labels_or_refuse(text: object, n: int, refused: _Refusals) -> dict[str, str] | None:
    try:
        return parse_labels(str(text))
    except BadData as exc:
        refused.add(exc.message, n)
        return None


def decode_protobuf(body: bytes, opts: LogOptions) -> DecodedLogs:
    try:
        raw = bytes(cramjam.snappy.decompress_raw(body))
    except cramjam.DecompressionError as exc:
        raise BadData(f"protobuf push body is not snappy-compressed: {exc}") from None
    try:
        request = PushRequest.FromString(raw)
    except DecodeError as exc:
        raise BadData(f"body is not a valid logproto.PushRequest: {exc}") from None
    refused, streams = _Refusals(), []
    for stream in request.streams:
        labels = _labels_or_refuse(stream.labels.decode("utf-8", "replace"), len(stream.entries), refused)
        if labels is not None:
            streams.append(_proto_entries(_StreamBuilder(labels, opts), stream.entries).finish())
    return DecodedLogs(streams, refused.count, refused.reason)


def _proto_entries(builder: _StreamBuilder, entries: Iterable[Any]) -> _StreamBuilder:
    for e in entries:
        ts = e.timestamp.seconds * 1_000_000_000 + e.timestamp.nanos
        meta = {m.name.decode("utf-8", "replace"): m.value.decode("utf-8", "replace")
                for m in e.structuredMetadata} if e.structuredMetadata else None
        builder.add(ts, e.line.decode("utf-8", "replace"), meta)
    return builder
