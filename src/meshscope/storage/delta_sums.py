"""Delta temporality → cumulative: running sums per stream, as the OpenTelemetry Collector's
``deltatocumulative`` processor keeps them (and Prometheus' OTLP receiver relies on).

A stream (metric identity + attributes + resource + scope) starts its sum at the first delta
seen, with that point's start time. A later point is added when it is newer than the last one;
points older than the last one, or starting before the stream's start, are dropped (out of order,
or an older stream). A histogram whose bucket bounds change starts a new sum, and so does a
stream silent for longer than ``STALE_NS`` (the collector forgets such streams after ``max_stale``).
Pure functions: :mod:`meshscope.storage.delta_convert` feeds them stored rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from meshscope.storage.exp_buckets import ExpHistogram

STALE_NS = 5 * 60 * 1_000_000_000  # the collector's default max_stale


@dataclass(frozen=True)
class Point:
    """One delta point of a sum or histogram (scalar sums leave count, total, buckets empty; an
    exponential histogram has ``exp``); as state, the running cumulative values of a stream."""

    stream: int
    time: int  # ns
    start: int  # ns
    value: float = 0.0
    count: int = 0
    total: float = 0.0
    buckets: tuple[int, ...] = ()
    bounds: tuple[float, ...] = ()
    exp: ExpHistogram | None = None

    def plus(self, delta: Point) -> Point:
        """This running sum advanced by ``delta`` (keeps this start; takes its time)."""
        return replace(self, time=delta.time, value=self.value + delta.value, count=self.count + delta.count,
                       total=self.total + delta.total,
                       buckets=tuple(a + b for a, b in zip(self.buckets, delta.buckets, strict=True)),
                       exp=self.exp.plus(delta.exp) if self.exp is not None and delta.exp is not None else None)


def _continues(running: Point | None, p: Point) -> bool:
    return (running is not None and p.bounds == running.bounds and len(p.buckets) == len(running.buckets)
            and (p.exp is None) == (running.exp is None))


def accumulate(state: dict[int, Point], points: Iterable[Point]) -> list[Point]:
    """The cumulative point for each accepted delta, in time order per stream; ``state`` advances.

    ``state`` holds each stream's last cumulative point (from storage, so restarts keep it)."""
    out = []
    for p in sorted(points, key=lambda q: (q.stream, q.time)):
        running = state.get(p.stream)
        if running is not None and p.time - running.time > STALE_NS:
            running = None  # forgotten, as the collector forgets streams after max_stale
        if running is not None and (p.time <= running.time or p.start < running.start):
            continue  # out of order, a replay, or a point of an older stream
        running = running.plus(p) if running is not None and _continues(running, p) else p
        state[p.stream] = running
        out.append(running)
    return out
