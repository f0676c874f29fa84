"""Log lines grouped by stream, column by column: what every non-OTLP door hands to storage.

Doors that receive streams (Loki push) fill the columns directly, one list append per line;
doors that receive single records (syslog, bulk, JSON lines) group :class:`LogRecord` values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from meshscope.model.logs import LogRecord


@dataclass
class StreamRows:
    """Lines of one stream, column by column (the shape the body is written in)."""

    service: str
    labels: Mapping[str, str]
    observed_ns: int
    ts: list[int] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    attributes: list[Mapping[str, str]] = field(default_factory=list)
    trace_id: list[str] = field(default_factory=list)
    span_id: list[str] = field(default_factory=list)
    trace_flags: list[int] = field(default_factory=list)
    severity_text: list[str] = field(default_factory=list)
    severity_number: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ts)

    def add(self, r: LogRecord) -> None:
        self.ts.append(r.timestamp_ns)
        self.body.append(r.body)
        self.attributes.append(r.attributes)
        self.trace_id.append(r.trace_id)
        self.span_id.append(r.span_id)
        self.trace_flags.append(r.trace_flags)
        self.severity_text.append(r.severity.text)
        self.severity_number.append(r.severity.number)

    def row(self) -> dict[str, object]:
        """The stream as one row: a per-line column that is empty on every line is left out, and a
        level shared by every line is sent once, so a plain Loki stream is little more than its
        times and lines (less JSON to write here and to parse in ClickHouse)."""
        out: dict[str, object] = {"service_name": self.service, "labels": self.labels,
                                  "observed": self.observed_ns, "ts": self.ts, "body": self.body}
        for name, values in (("attributes", self.attributes), ("trace_id", self.trace_id),
                             ("span_id", self.span_id), ("trace_flags", self.trace_flags)):
            if any(values):
                out[name] = values
        levels = set(zip(self.severity_text, self.severity_number, strict=True))
        if len(levels) == 1:
            out["stream_severity_text"], out["stream_severity_number"] = levels.pop()
        elif levels:
            out["severity_text"], out["severity_number"] = self.severity_text, self.severity_number
        return out


def group_records(records: Iterable[LogRecord]) -> list[StreamRows]:
    """Records grouped by stream (service + labels), order kept within each stream."""
    streams: dict[tuple[str, tuple[tuple[str, str], ...]], StreamRows] = {}
    for r in records:
        key = (r.service, tuple(sorted(r.labels.items())))
        rows = streams.get(key)
        if rows is None:
            rows = streams[key] = StreamRows(r.service, dict(r.labels), r.observed_ns)
        rows.add(r)
    return list(streams.values())


@dataclass(frozen=True)
class DecodedLogs:
    """What a door decoded: the storable lines by stream, and the lines it refused and why."""

    streams: list[StreamRows]
    rejected: int = 0
    reason: str = ""

    @property
    def accepted(self) -> int:
        return sum(len(s) for s in self.streams)
