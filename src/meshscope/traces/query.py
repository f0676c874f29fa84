"""A trace search as users ask it, and the SQL that answers it.

Every condition applies to one span, as in Jaeger: "service=orders error=true" finds traces in
which an orders span failed. Results are newest first, ties broken by trace id, so the same
search gives the same page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from meshscope.errors import BadData
from meshscope.model.durations import parse_duration
from meshscope.storage.sql import quote

_KIND_VALUES = {"server", "client", "producer", "consumer", "internal", "unspecified"}


@dataclass(frozen=True)
class TraceSearch:
    """Filters of a trace search; times in nanoseconds since the epoch."""

    start_ns: int
    end_ns: int
    service: str = ""
    operation: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    min_duration_ns: int | None = None
    max_duration_ns: int | None = None
    status: str = ""  # "", "error" or "ok"
    limit: int = 20

    def where(self) -> str:
        """The span-level conditions as SQL."""
        conds = [f"timestamp >= fromUnixTimestamp64Nano({self.start_ns})",
                 f"timestamp <= fromUnixTimestamp64Nano({self.end_ns})"]
        if self.service:
            conds.append(f"service_name = {quote(self.service)}")
        if self.operation:
            conds.append(f"name = {quote(self.operation)}")
        if self.min_duration_ns is not None:
            conds.append(f"duration_ns >= {self.min_duration_ns}")
        if self.max_duration_ns is not None:
            conds.append(f"duration_ns <= {self.max_duration_ns}")
        if self.status == "error":
            conds.append("status_code = 'error'")
        elif self.status == "ok":
            conds.append("status_code != 'error'")
        conds.extend(_tag_condition(k, v) for k, v in sorted(self.tags.items()))
        return " AND ".join(conds)


def _tag_condition(key: str, value: str) -> str:
    if key == "error":
        return "status_code = 'error'" if value.lower() == "true" else "status_code != 'error'"
    if key == "span.kind" and value.lower() in _KIND_VALUES:
        return f"kind = {quote(value.lower())}"
    if key == "otel.status_code":
        return f"status_code = {quote(value.lower())}"
    if key == "otel.status_description":
        return f"status_message = {quote(value)}"
    k, v = quote(key), quote(value)
    return f"(attributes[{k}] = {v} OR resource_attributes[{k}] = {v})"


def parse_tags(text: str) -> dict[str, str]:
    """Tags as Jaeger's UI sends them (a JSON object) or as people type them (logfmt)."""
    text = text.strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise BadData(f"tags: invalid JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise BadData("tags: must be a JSON object of key to value")
        return {str(k): _tag_text(v) for k, v in doc.items()}
    tags = {}
    for m in re.finditer(r'\s*([^\s=]+)=("((?:[^"\\]|\\.)*)"|\S*)', text):
        tags[m.group(1)] = m.group(3).replace('\\"', '"') if m.group(3) is not None else m.group(2)
    leftover = re.sub(r'\s*([^\s=]+)=("((?:[^"\\]|\\.)*)"|\S*)', "", text).strip()
    if leftover:
        raise BadData(f"tags: cannot read {leftover!r}; write key=value pairs separated by spaces")
    return tags


def _tag_text(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def duration_ns(name: str, text: str | None) -> int | None:
    """A Go-style duration parameter (``100ms``, ``1.5s``) in nanoseconds."""
    if text is None or text == "":
        return None
    try:
        return int(parse_duration(text) * 1e9)
    except ValueError as exc:
        raise BadData(f"{name}: {exc}") from None


def matching_trace_ids_sql(db: str, search: TraceSearch) -> str:
    """Trace ids with a span matching the search, newest first."""
    return (f"SELECT trace_id, max(timestamp) AS last FROM {db}.spans WHERE {search.where()} "
            f"GROUP BY trace_id ORDER BY last DESC, trace_id LIMIT {int(search.limit)}")
