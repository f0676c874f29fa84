"""The values that flow through the agent: lines read from a source and the log records made of them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Line:
    """One line of a source, already decoded; ``end`` is the source offset just past it.

    ``partial`` marks a container runtime's partial line that the next line continues."""

    text: str
    end: int
    time_ns: int = 0
    stream: str = ""
    partial: bool = False


@dataclass(slots=True)
class LogEntry:
    """A record on its way to the OTLP encoder; ``end`` is the offset its batch may commit to."""

    body: str
    end: int
    time_ns: int = 0
    severity_text: str = ""
    severity_number: int = 0
    attributes: dict[str, str] = field(default_factory=dict)
