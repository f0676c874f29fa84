"""Prometheus remote_write 1.0 bodies: snappy block format around a protobuf ``WriteRequest``.

The handler only decompresses here; ClickHouse parses and validates the protobuf while inserting
(ARCHITECTURE §2a). When storage refuses a body, :func:`explain` parses it in Python to name the
first problem precisely: that path is rare, so its cost does not matter.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import cramjam
from google.protobuf.message import DecodeError

from meshscope.decode.prometheus.prompb import METRIC_TYPES, WriteRequest
from meshscope.errors import BadData, PayloadTooLarge

METRIC_NAME_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_METADATA_TAG = 0x1A  # field 3 (metadata), wire type 2: a metadata-only request starts with it
BYTES_PER_SAMPLE_ESTIMATE = 150  # an uncompressed series of ~8 labels with one sample


@dataclass(frozen=True)
class RemoteWriteBody:
    """A decompressed request ready for the write path."""

    body: bytes
    estimated_samples: int
    metadata: list[dict[str, str]]


def decompress(raw: bytes, limit: int) -> bytes:
    """The protobuf inside a snappy block, refusing to inflate past ``limit`` bytes."""
    try:
        size = cramjam.snappy.decompress_raw_len(raw)
    except cramjam.DecompressionError as exc:
        raise BadData(f"body is not snappy block format (as remote_write sends): {exc}") from None
    if size > limit:
        raise PayloadTooLarge(f"decompressed body of {size} bytes is larger than the limit of {limit} bytes")
    try:
        return bytes(cramjam.snappy.decompress_raw(raw))
    except cramjam.DecompressionError as exc:
        raise BadData(f"body is not snappy block format (as remote_write sends): {exc}") from None


def decode(raw: bytes, limit: int) -> RemoteWriteBody:
    """Decompress; metadata-only requests (Prometheus sends those apart) are parsed here."""
    body = decompress(raw, limit)
    metadata: list[dict[str, str]] = []
    if body[:1] == bytes([_METADATA_TAG]):
        req = parse(body)
        metadata = [{"metric_name": m.metric_family_name, "type": _type_name(m.type), "help": m.help,
                     "unit": m.unit} for m in req.metadata if m.metric_family_name]
        if not req.timeseries:
            body = b""
    samples = 0 if not body else max(1, math.ceil(len(body) / BYTES_PER_SAMPLE_ESTIMATE))
    return RemoteWriteBody(body, samples, metadata)


def _type_name(code: int) -> str:
    return METRIC_TYPES[code] if 0 <= code < len(METRIC_TYPES) else "unknown"


def parse(body: bytes) -> Any:
    try:
        return WriteRequest.FromString(body)
    except DecodeError as exc:
        raise BadData(f"body is not a valid remote_write WriteRequest protobuf: {exc}") from None


def explain(body: bytes) -> str:
    """The first reason storage refused ``body``, in words a sender's operator can act on."""
    req = parse(body)
    for n, ts in enumerate(req.timeseries):
        problem = series_problem([(lb.name, lb.value) for lb in ts.labels])
        if problem:
            return f"timeseries[{n}]: {problem}"
    return "body could not be stored as remote_write samples"


def series_problem(labels: list[tuple[str, str]]) -> str:
    """Why a label set cannot be a series ("" when it can); empty values count as absent."""
    present = [(k, v) for k, v in labels if v != ""]
    names = [k for k, _ in present]
    if len(set(names)) != len(names):
        dup = next(k for k in names if names.count(k) > 1)
        return f"duplicate label name {dup!r}"
    values = dict(present)
    if "__name__" not in values:
        return "series has no metric name (__name__ label): " + _short(present)
    if not METRIC_NAME_RE.match(values["__name__"]):
        return f"invalid metric name {values['__name__']!r}"
    for k in names:
        if k != "__name__" and not LABEL_NAME_RE.match(k):
            return f"invalid label name {k!r} (must match [a-zA-Z_][a-zA-Z0-9_]*)"
    return ""


def _short(labels: list[tuple[str, str]]) -> str:
    text = "{" + ", ".join(f'{k}="{v}"' for k, v in labels) + "}"
    return text if len(text) <= 200 else text[:200] + "…"
