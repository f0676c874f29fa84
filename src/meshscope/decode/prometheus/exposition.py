"""Prometheus text format 0.0.4 and OpenMetrics 1.0: a scrape body to samples, metadata, exemplars.

Like Prometheus, a malformed line fails the whole scrape (:class:`BadData` naming the line):
storing half a scrape would make series vanish and reappear. Values keep their exact bits; the
text forms ``NaN``/``+Inf``/``-Inf`` are accepted. Text-format timestamps are ms, OpenMetrics' are
seconds with fractions; both come out as ms.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from meshscope.errors import BadData

OPENMETRICS = "application/openmetrics-text"
_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SERIES = re.compile(rf"\s*({_NAME})\s*(\{{)?")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(,)?\s*')
_ESCAPE = re.compile(r"\\(.)")
_TYPES = {"counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown", "untyped"}


@dataclass(frozen=True)
class ScrapedSample:
    name: str
    labels: tuple[tuple[str, str], ...]
    value: float
    timestamp_ms: int | None = None
    exemplar: tuple[tuple[tuple[str, str], ...], float, int | None] | None = None


@dataclass
class Exposition:
    samples: list[ScrapedSample] = field(default_factory=list)
    metadata: dict[str, dict[str, str]] = field(default_factory=dict)


def parse(text: str, content_type: str = "") -> Exposition:
    """Parse a scrape body in the format its ``Content-Type`` names (text format otherwise)."""
    om = content_type.strip().lower().startswith(OPENMETRICS)
    out = Exposition()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    for n, line in enumerate(lines, 1):
        if om and line == "# EOF":
            if any(rest.strip() for rest in lines[n:]):
                raise BadData(f"line {n}: data after # EOF")
            return out
        try:
            _line(line, om, out)
        except BadData as exc:
            raise BadData(f"line {n}: {exc.message}: {line[:200]!r}") from None
    if om:
        raise BadData("OpenMetrics body does not end with # EOF")
    return out


def _line(line: str, om: bool, out: Exposition) -> None:
    if not line.strip():
        if om:
            raise BadData("empty line (not allowed in OpenMetrics)")
        return
    if line.lstrip().startswith("#"):
        _comment(line.lstrip(), out)
        return
    out.samples.append(sample_line(line, om))


def _comment(line: str, out: Exposition) -> None:
    parts = line[1:].strip().split(None, 2)
    if len(parts) < 2 or parts[0] not in ("HELP", "TYPE", "UNIT"):
        return  # an ordinary comment
    kind, name = parts[0], parts[1]
    text = parts[2] if len(parts) > 2 else ""
    meta = out.metadata.setdefault(name, {"type": "unknown", "help": "", "unit": ""})
    if kind == "TYPE":
        if text not in _TYPES:
            raise BadData(f"invalid metric type {text!r}")
        meta["type"] = "unknown" if text == "untyped" else text
    elif kind == "HELP":
        meta["help"] = text.replace("\\n", "\n").replace("\\\\", "\\")
    else:
        meta["unit"] = text


def _labels(line: str, pos: int) -> tuple[tuple[tuple[str, str], ...], int]:
    """Labels from just after ``{`` to just after ``}``."""
    labels: list[tuple[str, str]] = []
    while True:
        if line.startswith("}", pos):
            return tuple(labels), pos + 1
        m = _LABEL.match(line, pos)
        if not m:
            raise BadData("invalid label set (expected name=\"value\")")
        labels.append((m.group(1), _ESCAPE.sub(_unescape, m.group(2))))
        pos = m.end()
        if not m.group(3) and not line.startswith("}", pos):
            raise BadData("expected , or } after a label")


def _unescape(m: re.Match[str]) -> str:
    return {"n": "\n", "\\": "\\", '"': '"'}.get(m.group(1), "\\" + m.group(1))


def parse_float(text: str) -> float:
    low = text.lower()
    if low in ("nan", "+inf", "-inf", "inf", "+nan", "-nan"):
        return math.nan if "nan" in low else (-math.inf if low.startswith("-") else math.inf)
    if "_" in text or not text or low.startswith(("0x", "-0x", "+0x")) or "infinity" in low:
        raise BadData(f"invalid value {text!r}")
    try:
        return float(text)
    except ValueError:
        raise BadData(f"invalid value {text!r}") from None


def sample_line(line: str, om: bool) -> ScrapedSample:
    m = _SERIES.match(line)
    if not m:
        raise BadData("invalid metric name")
    labels, pos = _labels(line, m.end()) if m.group(2) else ((), m.end())
    rest, _, exemplar_text = line[pos:].partition(" # ") if om else (line[pos:], "", "")
    fields = rest.split()
    if not fields or len(fields) > 2:
        raise BadData("expected a value and an optional timestamp")
    value = parse_float(fields[0])
    ts = _timestamp(fields[1], om) if len(fields) == 2 else None
    exemplar = _exemplar(exemplar_text) if exemplar_text else None
    return ScrapedSample(m.group(1), labels, value, ts, exemplar)


def _timestamp(text: str, om: bool) -> int:
    try:
        return round(float(text) * 1000) if om else int(text)
    except ValueError:
        raise BadData(f"invalid timestamp {text!r}") from None


def _exemplar(text: str) -> tuple[tuple[tuple[str, str], ...], float, int | None]:
    text = text.strip()
    if not text.startswith("{"):
        raise BadData("invalid exemplar (expected {labels} value)")
    labels, pos = _labels(text, 1)
    fields = text[pos:].split()
    if not fields or len(fields) > 2:
        raise BadData("invalid exemplar value")
    return labels, parse_float(fields[0]), _timestamp(fields[1], True) if len(fields) == 2 else None
