"""JSON lines for people with curl: one JSON object per line, fields mapped like any log document.

Invalid UTF-8 is replaced (U+FFFD), not refused; a line that is not a JSON object is refused
with its line number while the others are kept, so one broken line never costs the batch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from meshscope.decode.log_fields import LogOptions, record_from_document
from meshscope.model.logs import LogRecord

MAX_REPORTED = 20


@dataclass
class JsonLines:
    records: list[LogRecord] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason), first few
    rejected: int = 0


def decode_jsonlines(body: bytes, opts: LogOptions, labels: Mapping[str, str] | None = None) -> JsonLines:
    """Records of every good line; ``labels`` (from the URL) override what the documents say."""
    out = JsonLines()
    extra = dict(labels or {})
    for number, raw in enumerate(body.split(b"\n"), 1):
        text = raw.decode("utf-8", "replace").strip()
        if not text:
            continue
        try:
            doc = json.loads(text)
        except ValueError as exc:
            _refuse(out, number, f"not valid JSON: {exc}")
            continue
        if not isinstance(doc, dict):
            _refuse(out, number, "not a JSON object")
            continue
        record = record_from_document(doc, opts, "jsonl")
        if extra:
            merged = {**record.labels, **extra}
            service = extra.get("service_name") or record.service
            merged["service_name"] = service
            record = LogRecord(record.timestamp_ns, record.observed_ns, record.body, record.severity, service,
                               merged.get("host", record.host), merged, record.attributes, record.trace_id,
                               record.span_id, record.trace_flags)
        out.records.append(record)
    return out


def _refuse(out: JsonLines, number: int, reason: str) -> None:
    out.rejected += 1
    if len(out.errors) < MAX_REPORTED:
        out.errors.append((number, reason))
