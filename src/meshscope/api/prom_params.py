"""Request parameters of the Prometheus HTTP API, parsed the way Prometheus parses them.

Times are RFC 3339 or Unix seconds (with fractions); durations are seconds or ``5m``-style.
GET query strings and POSTed forms carry the same parameters; ``match[]`` may repeat.
"""

from __future__ import annotations

import math
import time
from datetime import datetime
from urllib.parse import parse_qsl

from fastapi import Request

from meshscope.errors import BadData
from meshscope.model.durations import parse_duration
from meshscope.promql import ast
from meshscope.promql.matchers import LabelMatcher
from meshscope.promql.parse import parse_query

MIN_TIME_MS = -9223372036854775 // 1000 * 1000  # what Prometheus means by "no start given"
MAX_TIME_MS = 9223372036854775 // 1000 * 1000


class Params:
    """The parameters of one request: query string plus, for form POSTs, the body."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    @staticmethod
    async def of(request: Request) -> Params:
        pairs = list(request.query_params.multi_items())
        if request.method == "POST" and request.headers.get("content-type", "").startswith(
                "application/x-www-form-urlencoded"):
            pairs += parse_qsl((await request.body()).decode(errors="replace"), keep_blank_values=True)
        return Params(pairs)

    def get(self, name: str, default: str = "") -> str:
        for k, v in self.pairs:
            if k == name:
                return v
        return default

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]

    def time_ms(self, name: str, default_ms: int) -> int:
        text = self.get(name)
        return parse_time_ms(text, name) if text else default_ms

    def duration_ms(self, name: str) -> int:
        text = self.get(name)
        if not text:
            raise BadData(f'invalid parameter "{name}": cannot parse "" to a valid duration')
        try:
            seconds = parse_duration(text)
        except ValueError:
            raise BadData(f'invalid parameter "{name}": cannot parse "{text}" to a valid duration') from None
        if not math.isfinite(seconds):
            raise BadData(f'invalid parameter "{name}": cannot parse "{text}" to a valid duration')
        return round(seconds * 1000)

    def limit(self) -> int:
        text = self.get("limit")
        if not text:
            return 0
        try:
            n = int(text)
        except ValueError:
            raise BadData(f'invalid parameter "limit": cannot parse "{text}" to a valid limit') from None
        if n < 0:
            raise BadData('invalid parameter "limit": limit must be non-negative')
        return n

    def matcher_sets(self, required: bool = False) -> list[list[LabelMatcher]]:
        texts = self.all("match[]")
        if required and not texts:
            raise BadData("no match[] parameter provided")
        return [selector_matchers(t) for t in texts]


def now_ms() -> int:
    return int(time.time() * 1000)


def parse_time_ms(text: str, name: str = "time") -> int:
    try:
        return round(float(text) * 1000)
    except ValueError:
        pass
    try:
        return int(datetime.fromisoformat(text).timestamp() * 1000)
    except ValueError:
        raise BadData(f'invalid parameter "{name}": cannot parse "{text}" to a valid timestamp') from None


def selector_matchers(text: str) -> list[LabelMatcher]:
    """The matchers of a ``match[]`` series selector."""
    expr = parse_query(text)
    if not isinstance(expr, ast.VectorSelector):
        raise BadData(f'invalid parameter "match[]": {text!r} is not a series selector')
    return list(expr.matchers)
