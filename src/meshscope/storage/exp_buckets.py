"""Adding OTLP exponential-histogram buckets of different scales, as the OpenTelemetry Collector's
``deltatocumulative`` processor does: both sides are brought down to the smaller scale, then the
counts are added index by index; a result wider than ``MAX_BUCKETS`` is scaled down further, as an
SDK's exponential aggregation keeps itself within its maximum size.

Bucket ``i`` at scale ``s`` covers ``(base**i, base**(i + 1)]`` with ``base = 2**(2**-s)``; halving the
resolution (scale - 1) maps index ``i`` to ``i >> 1``, so ``d`` steps down map it to ``i >> d``.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BUCKETS = 160  # the SDKs' default max_size for one side of an exponential histogram


@dataclass(frozen=True)
class Buckets:
    """One side (positive or negative) of an exponential histogram: counts from index ``offset`` up."""

    offset: int = 0
    counts: tuple[int, ...] = ()

    def downscaled(self, steps: int) -> Buckets:
        """The same counts at ``steps`` lower scales (neighbouring buckets summed)."""
        if steps <= 0 or not self.counts:
            return self
        first = self.offset >> steps
        out = [0] * self._width(steps)
        for j, c in enumerate(self.counts):
            out[((self.offset + j) >> steps) - first] += c
        return Buckets(first, tuple(out))

    def plus(self, other: Buckets) -> Buckets:
        """Index-by-index sum of two sides at the same scale."""
        if not other.counts:
            return self
        if not self.counts:
            return other
        first = min(self.offset, other.offset)
        last = max(self.offset + len(self.counts), other.offset + len(other.counts))
        out = [0] * (last - first)
        for side in (self, other):
            for j, c in enumerate(side.counts):
                out[side.offset - first + j] += c
        return Buckets(first, tuple(out))

    def steps_to_fit(self, limit: int) -> int:
        """How many scales down until this side spans at most ``limit`` buckets."""
        steps = 0
        while self.counts and self._width(steps) > limit:
            steps += 1
        return steps

    def _width(self, steps: int) -> int:
        """Buckets this side spans ``steps`` scales down (first to last index, empty ones included)."""
        return ((self.offset + len(self.counts) - 1) >> steps) - (self.offset >> steps) + 1


@dataclass(frozen=True)
class ExpHistogram:
    """The bucket part of an exponential histogram point (count and sum travel beside it)."""

    scale: int = 0
    zero_count: int = 0
    positive: Buckets = Buckets()
    negative: Buckets = Buckets()

    def downscaled(self, steps: int) -> ExpHistogram:
        if steps <= 0:
            return self
        return ExpHistogram(self.scale - steps, self.zero_count, self.positive.downscaled(steps),
                            self.negative.downscaled(steps))

    def plus(self, other: ExpHistogram) -> ExpHistogram:
        """The sum of two points: at the smaller scale, within ``MAX_BUCKETS`` a side."""
        scale = min(self.scale, other.scale)
        a, b = self.downscaled(self.scale - scale), other.downscaled(other.scale - scale)
        summed = ExpHistogram(scale, a.zero_count + b.zero_count, a.positive.plus(b.positive),
                              a.negative.plus(b.negative))
        steps = max(summed.positive.steps_to_fit(MAX_BUCKETS), summed.negative.steps_to_fit(MAX_BUCKETS))
        return summed.downscaled(steps)
