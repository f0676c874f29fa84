"""Go-style durations and humanized byte sizes, as Loki reads them in queries and label values."""

from __future__ import annotations

import math
import re

_GO_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 10**9, "m": 60 * 10**9,
             "h": 3600 * 10**9, "d": 86400 * 10**9, "w": 7 * 86400 * 10**9, "y": 365 * 86400 * 10**9}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d|w|y)")
_BYTES = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*")
_BYTE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "ki": 1024, "kib": 1024}
for _i, _p in enumerate("mgtpe", start=2):
    _BYTE_UNITS.update({_p: 1000**_i, _p + "b": 1000**_i, _p + "i": 1024**_i, _p + "ib": 1024**_i})


def parse_go_duration(text: str) -> int:
    """Nanoseconds in ``1h30m``, ``-1.5s``, ``250ms`` (``d``, ``w``, ``y`` too, as in LogQL ranges)."""
    s = text.strip()
    sign = -1 if s.startswith("-") else 1
    s = s.lstrip("+-")
    if s == "0":
        return 0
    pos, total = 0, 0.0
    for m in _PART.finditer(s):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _GO_UNITS[m.group(2)]
        pos = m.end()
    if pos != len(s) or not s:
        raise ValueError(f"invalid duration {text!r}")
    return sign * int(round(total))


def parse_bytes(text: str) -> int:
    """Bytes in ``10KB`` (1000s) or ``10KiB`` (1024s), case-insensitive, as humanize.ParseBytes reads."""
    m = _BYTES.fullmatch(text)
    if not m or m.group(2).lower() not in _BYTE_UNITS:
        raise ValueError(f"invalid size {text!r}")
    return int(float(m.group(1)) * _BYTE_UNITS[m.group(2).lower()])


def parse_number(text: str) -> float:
    """A label value as a number (Go's ParseFloat: ``1e3``, ``inf``, ``NaN``, ``0x1f`` hex ints)."""
    t = text.strip()
    try:
        return float(t)
    except ValueError:
        if re.fullmatch(r"[+-]?0[xX][0-9a-fA-F]+", t):
            return float(int(t, 16))
        raise


def format_value(value: float) -> str:
    """A sample value as Prometheus and Loki print it (``1``, ``0.5``, ``+Inf``, ``NaN``)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)
