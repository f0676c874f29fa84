"""Label matchers (``=``, ``!=``, ``=~``, ``!~``) with Prometheus' semantics.

Regexes are fully anchored, and an absent label matches as the empty string, so ``{foo!="bar"}``
selects series without ``foo``. Storage back ends translate the same four operators to their own
predicates (see :mod:`.source`); :meth:`LabelMatcher.matches` is the reference behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from meshscope.promql.regex import translate

MatchOp = Literal["=", "!=", "=~", "!~"]


@dataclass(frozen=True)
class LabelMatcher:
    name: str
    op: MatchOp
    value: str
    _regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.op in ("=~", "!~"):
            object.__setattr__(self, "_regex", compile_anchored(self.value))

    def matches(self, value: str) -> bool:
        if self.op == "=":
            return value == self.value
        if self.op == "!=":
            return value != self.value
        assert self._regex is not None
        hit = self._regex.fullmatch(value) is not None
        return hit if self.op == "=~" else not hit

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.name}{self.op}"{escaped}"'


@lru_cache(maxsize=1024)
def compile_anchored(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled to match whole values only (Prometheus wraps it in ``^(?:…)$``)."""
    return re.compile(f"(?:{translate(pattern)})")


def matches_all(matchers: Sequence[LabelMatcher], get: dict[str, str]) -> bool:
    """Whether a series with labels ``get`` satisfies every matcher."""
    return all(m.matches(get.get(m.name, "")) for m in matchers)
