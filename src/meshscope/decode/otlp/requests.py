"""OTLP export requests: bytes on the wire to a validated, canonical protobuf body.

Both encodings end as the binary protobuf that storage decodes natively, so JSON costs one extra
conversion and nothing else differs. Validation counts what storage will leave out (invalid ids,
nameless metrics) so the client hears about it in ``partial_success``.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from google.protobuf.message import DecodeError, Message
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from meshscope.decode.otlp.json_ids import hex_ids_to_base64
from meshscope.errors import BadData, PayloadTooLarge, UnsupportedMediaType

PROTOBUF_TYPES = ("application/x-protobuf", "application/protobuf")
JSON_TYPES = ("application/json",)
_ZERO_TRACE, _ZERO_SPAN = bytes(16), bytes(8)


class Signal(StrEnum):
    TRACES = "traces"
    LOGS = "logs"
    METRICS = "metrics"

    @property
    def message_type(self) -> type[Message]:
        return _MESSAGES[self]

    @property
    def item_name(self) -> str:
        return {"traces": "spans", "logs": "log records", "metrics": "data points"}[self.value]


_MESSAGES: dict[Signal, type[Message]] = {
    Signal.TRACES: ExportTraceServiceRequest,
    Signal.LOGS: ExportLogsServiceRequest,
    Signal.METRICS: ExportMetricsServiceRequest,
}


@dataclass(frozen=True)
class DecodedRequest:
    """A request ready for the write path: canonical protobuf plus the counts to report."""

    signal: Signal
    body: bytes
    accepted: int
    rejected: int
    reason: str = ""


def decompress(raw: bytes, encoding: str, limit: int) -> bytes:
    """The body without its Content-Encoding, refusing to inflate past ``limit`` bytes."""
    enc = (encoding or "identity").strip().lower()
    if enc in ("", "identity"):
        return raw
    if enc not in ("gzip", "deflate"):
        raise UnsupportedMediaType(f"unsupported Content-Encoding {encoding!r}: use gzip, deflate or none")
    wbits = 16 + zlib.MAX_WBITS if enc == "gzip" else zlib.MAX_WBITS
    inflater = zlib.decompressobj(wbits)
    try:
        out = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise BadData(f"body is not valid {enc} data: {exc}") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise PayloadTooLarge(f"decompressed body is larger than the limit of {limit} bytes")
    return out


def decode_request(signal: Signal, raw: bytes, content_type: str) -> DecodedRequest:
    """Parse and validate one export request in the encoding ``content_type`` names."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in PROTOBUF_TYPES:  # the wire bytes are already what storage reads
        return validated(signal, _parse_protobuf(signal, raw), raw)
    if media in JSON_TYPES:
        return validated(signal, parse_json(signal, raw))
    raise UnsupportedMediaType(
        f"unsupported Content-Type {content_type!r}: OTLP/HTTP takes application/x-protobuf or application/json")


def _parse_protobuf(signal: Signal, raw: bytes) -> Message:
    try:
        return signal.message_type.FromString(raw)
    except DecodeError as exc:
        raise BadData(f"body is not a valid OTLP {signal.value} protobuf message: {exc}") from None


def parse_json(signal: Signal, raw: bytes) -> Message:
    """OTLP/JSON: lowerCamelCase keys, hex ids, enums as integers, 64-bit integers as strings."""
    import json

    from google.protobuf import json_format

    if not raw.strip():
        raise BadData("empty JSON body: send an OTLP JSON object such as {\"resourceSpans\": []}")
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadData(f"body is not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise BadData("OTLP JSON body must be an object")
    hex_ids_to_base64(doc)
    try:
        return json_format.ParseDict(doc, signal.message_type(), ignore_unknown_fields=True)
    except json_format.ParseError as exc:
        raise BadData(f"invalid OTLP JSON: {exc}") from None


def validated(signal: Signal, msg: Message, wire: bytes | None = None) -> DecodedRequest:
    """Counts and the canonical body of a parsed request (``wire`` when it came as protobuf)."""
    accepted, rejected, reason = _VALIDATORS[signal](msg)
    body = wire if wire is not None else msg.SerializeToString()
    return DecodedRequest(signal, body, accepted, rejected, reason)


def _validate_traces(req: Any) -> tuple[int, int, str]:
    total = bad = 0
    for rs in req.resource_spans:
        for ss in rs.scope_spans:
            for sp in ss.spans:
                total += 1
                tid, sid, pid = sp.trace_id, sp.span_id, sp.parent_span_id
                if (len(tid) != 16 or tid == _ZERO_TRACE or len(sid) != 8 or sid == _ZERO_SPAN
                        or len(pid) not in (0, 8)):
                    bad += 1
    reason = (f"{bad} spans rejected: trace_id must be 16 bytes and span_id 8 bytes, not all zero; "
              "parent_span_id empty or 8 bytes") if bad else ""
    return total - bad, bad, reason


def _validate_logs(req: Any) -> tuple[int, int, str]:
    total = bad = 0
    for rl in req.resource_logs:
        for sl in rl.scope_logs:
            for lr in sl.log_records:
                total += 1
                if len(lr.trace_id) not in (0, 16) or len(lr.span_id) not in (0, 8):
                    bad += 1
    reason = (f"{bad} log records rejected: trace_id must be empty or 16 bytes, span_id empty or 8 bytes"
              if bad else "")
    return total - bad, bad, reason


def _metric_points(metric: Any) -> int:
    kind = metric.WhichOneof("data")
    return len(getattr(metric, kind).data_points) if kind else 0


def _validate_metrics(req: Any) -> tuple[int, int, str]:
    total = bad = 0
    for rm in req.resource_metrics:
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                n = _metric_points(metric)
                total += n
                if not metric.name:
                    bad += n
    reason = f"{bad} data points rejected: metric name is empty" if bad else ""
    return total - bad, bad, reason


_VALIDATORS: dict[Signal, Callable[[Any], tuple[int, int, str]]] = {
    Signal.TRACES: _validate_traces,
    Signal.LOGS: _validate_logs,
    Signal.METRICS: _validate_metrics,
}


