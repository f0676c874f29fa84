"""Log pattern mining for ``/loki/api/v1/patterns``: lines clustered into templates, counted per step.

A small Drain-style miner (He et al., 2017 — the algorithm Loki's pattern ingester uses): a line is
split into tokens (runs of spaces, ``key=`` prefixes, the text between); tokens that look like
numbers or ids (a digit, and otherwise only hex letters and punctuation) are variable from the
start. Lines with the same number of tokens, the same level and the same first token join the most
similar template when at least :data:`SIMILARITY` of its constant tokens agree; positions that differ
become ``<_>``. Templates print as Loki pattern filters (``|> "<_> level=info msg=<_>"``), runs of
``<_>`` merged, so every template can be pasted back as a query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

WILDCARD = "<_>"
SIMILARITY = 0.5
MAX_CLUSTERS = 300  # per (length, level, first token): past this a line starts no new template
_TOKEN = re.compile(r"\s+|[^\s=]+=|[^\s=]+|=")
_VARIABLE = re.compile(r"(?=.*\d)[0-9a-fA-F.:\-_/+,]+|\d[\w.:\-/+]*")


def tokens(line: str) -> list[str]:
    return [WILDCARD if _VARIABLE.fullmatch(t) else t for t in _TOKEN.findall(line)]


@dataclass
class Cluster:
    """One template and the line times (ns) it holds."""

    template: list[str]
    level: str
    times: list[int] = field(default_factory=list)

    def similarity(self, toks: list[str]) -> float:
        fixed = [(a, b) for a, b in zip(self.template, toks, strict=True) if a != WILDCARD and not a.isspace()]
        if not fixed:
            return 1.0
        return sum(a == b for a, b in fixed) / len(fixed)

    def absorb(self, toks: list[str], ts: int) -> None:
        self.template = [a if a == b else WILDCARD for a, b in zip(self.template, toks, strict=True)]
        self.times.append(ts)

    def pattern(self) -> str:
        out: list[str] = []
        for t in self.template:
            if t == WILDCARD and out and out[-1] == WILDCARD:
                continue
            out.append(t)
        return "".join(out)


class Miner:
    """Clusters lines one by one; ``clusters`` keeps them in creation order."""

    def __init__(self) -> None:
        self.groups: dict[tuple[int, str, str], list[Cluster]] = {}
        self.clusters: list[Cluster] = []

    def add(self, line: str, level: str, ts: int) -> None:
        toks = tokens(line)
        key = (len(toks), level, toks[0] if toks else "")
        group = self.groups.setdefault(key, [])
        best = max(group, key=lambda c: c.similarity(toks), default=None)
        if best is not None and (best.similarity(toks) >= SIMILARITY or len(group) >= MAX_CLUSTERS):
            best.absorb(toks, ts)
            return
        cluster = Cluster(toks, level, [ts])
        group.append(cluster)
        self.clusters.append(cluster)


def _samples(times: Iterable[int], start_ns: int, step_ns: int) -> list[list[int]]:
    counts: dict[int, int] = {}
    for ts in times:
        bucket = start_ns + (ts - start_ns) // step_ns * step_ns
        counts[bucket] = counts.get(bucket, 0) + 1
    return [[b // 10**9, n] for b, n in sorted(counts.items())]


def mine(lines: Iterable[tuple[int, str, str]], start_ns: int, step_ns: int, limit: int) -> list[dict[str, Any]]:
    """Loki's ``patterns`` data: ``[{pattern, level, samples: [[seconds, count], ...]}]``, most lines first.

    ``lines`` are ``(time ns, line, level)``. Templates that end up printing alike are merged."""
    miner = Miner()
    for ts, line, level in lines:
        miner.add(line, level, ts)
    merged: dict[tuple[str, str], list[int]] = {}
    for c in miner.clusters:
        merged.setdefault((c.pattern(), c.level), []).extend(c.times)
    ranked = sorted(merged.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
    return [{"pattern": pattern, "level": level, "samples": _samples(times, start_ns, step_ns)}
            for (pattern, level), times in ranked]
