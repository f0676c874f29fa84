"""Loki's query parameters: times (ns, float seconds, RFC3339), steps, limits, directions."""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections.abc import Mapping

from meshscope.errors import BadData
from meshscope.logql.values import parse_go_duration

DEFAULT_LIMIT = 100
_RFC3339 = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)")


def now_ns() -> int:
    return time.time_ns()


def parse_time(name: str, value: str | None, default: int) -> int:
    """Nanoseconds since the epoch, read as Loki reads ``start``/``end``/``time``."""
    if value is None or value == "":
        return default
    if "." in value:
        try:
            seconds = float(value)
            return int(round(seconds * 1e9))
        except ValueError:
            pass
    try:
        number = int(value)
        return number * 10**9 if len(value.lstrip("-")) <= 10 else number
    except ValueError:
        pass
    m = _RFC3339.fullmatch(value.strip())
    if not m:
        raise BadData(f'invalid parameter "{name}": cannot parse "{value}" to a valid timestamp')
    base = dt.datetime.fromisoformat(m.group(1) + (m.group(3).replace("Z", "+00:00")))
    frac = (m.group(2) or ".")[1:].ljust(9, "0")[:9]
    return int(base.timestamp()) * 10**9 + int(frac)


def parse_step(name: str, value: str | None, default_ns: int) -> int:
    """A step as float seconds or a duration (``15s``, ``500ms``)."""
    if value is None or value == "":
        return default_ns
    try:
        seconds = float(value)
        if math.isnan(seconds) or math.isinf(seconds):
            raise ValueError
        return int(round(seconds * 1e9))
    except ValueError:
        pass
    try:
        return parse_go_duration(value)
    except ValueError:
        raise BadData(f'invalid parameter "{name}": cannot parse "{value}" to a valid duration') from None


def default_step_ns(start_ns: int, end_ns: int) -> int:
    """Loki's default: range/250 in whole seconds, at least one second."""
    return max(int((end_ns - start_ns) / 1e9 / 250), 1) * 10**9


def time_range(params: Mapping[str, str], default_span_ns: int) -> tuple[int, int]:
    """``start``/``end`` (or ``since``) with Loki's defaults."""
    end = parse_time("end", params.get("end"), now_ns())
    since = params.get("since")
    span = parse_step("since", since, default_span_ns) if since else default_span_ns
    start = parse_time("start", params.get("start"), min(end, now_ns()) - span)
    return start, end


def parse_limit(params: Mapping[str, str], default: int = DEFAULT_LIMIT, name: str = "limit") -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadData(f'invalid parameter "{name}": cannot parse "{raw}" as an integer') from None


def parse_backward(params: Mapping[str, str]) -> bool:
    raw = (params.get("direction") or "backward").lower()
    if raw not in ("backward", "forward"):
        raise BadData(f'invalid parameter "direction": {raw!r} is not "forward" or "backward"')
    return raw == "backward"


def required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise BadData(f"missing required parameter {name!r}")
    return value
