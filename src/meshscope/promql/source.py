"""The seam between the PromQL engine and storage.

The engine asks a :class:`SeriesSource` for raw samples of the series that match a selector in a
time range, and does everything else itself. A source answers with a :class:`SeriesBlock`: all
matching series laid out column-wise (one flat timestamp array, one flat value array, and the
offset where each series starts), which is how a columnar store returns rows ordered by
``(series, ts)`` anyway — so the ClickHouse source can hand over Arrow columns without building a
Python object per series, and the engine computes every window of every series with a few numpy
calls.

:class:`SelectHints` tell a source what the engine will do with the samples (the function, the
range, the step, the grouping of an aggregation right above), as Prometheus' ``SelectHints`` do,
so a SQL source can narrow or pre-aggregate. A source must return every sample with
``start_ms <= ts <= end_ms``; returning more is allowed (the engine windows by itself).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from meshscope.promql.labels import Labels
from meshscope.promql.matchers import LabelMatcher

STALE_NAN_BITS = 0x7FF0000000000002
"""Prometheus' staleness marker: a NaN with this exact bit pattern (compare bits, never values)."""
STALE_NAN = np.array([STALE_NAN_BITS], dtype=np.uint64).view(np.float64)[0]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def is_stale(values: F64) -> npt.NDArray[np.bool_]:
    """Which values are staleness markers (bit comparison: other NaNs are ordinary values)."""
    bits: npt.NDArray[np.bool_] = np.asarray(values, dtype=np.float64).view(np.uint64) == np.uint64(STALE_NAN_BITS)
    return bits


@dataclass(frozen=True)
class SelectHints:
    """What the engine will do with the selected samples; a source may use or ignore these."""

    start_ms: int
    end_ms: int
    step_ms: int = 0  # 0 for an instant query
    range_ms: int = 0  # the window of a range selector or subquery, 0 for instant selectors
    func: str | None = None  # the function the selector is an argument of, e.g. "rate"
    grouping: tuple[str, ...] = ()  # labels of an aggregation directly above that function
    by: bool = False  # grouping is a `by` list (else `without`)
    lookback_ms: int = 300_000


@dataclass(frozen=True)
class Series:
    """One series' samples, sorted by time; timestamps are int64 ms since the epoch."""

    labels: Labels
    timestamps: I64
    values: F64


@dataclass(frozen=True)
class SeriesBlock:
    """Many series in columnar form: series ``i`` is ``ts[offsets[i]:offsets[i+1]]``.

    Timestamps are sorted within each series; series may come in any order (``ordered`` says a
    source put them in label order already) and labels must be unique. ``values`` keeps stale
    markers bit-exact.
    """

    labels: Sequence[Labels]
    offsets: I64
    timestamps: I64
    values: F64
    ordered: bool = False

    def __len__(self) -> int:
        return len(self.labels)

    def series(self) -> Iterator[Series]:
        for i, lbls in enumerate(self.labels):
            a, b = int(self.offsets[i]), int(self.offsets[i + 1])
            yield Series(lbls, self.timestamps[a:b], self.values[a:b])

    def reordered(self, order: Sequence[int]) -> SeriesBlock:
        """The series in the given order (indices into this block's series)."""
        idx = np.asarray(order, dtype=np.int64)
        sizes = np.diff(self.offsets)[idx]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        index = np.repeat(self.offsets[:-1][idx] - offsets[:-1], sizes) + np.arange(offsets[-1])
        return SeriesBlock([self.labels[i] for i in idx.tolist()], offsets, self.timestamps[index],
                           self.values[index])

    @staticmethod
    def from_series(series: Sequence[Series]) -> SeriesBlock:
        sizes = np.fromiter((len(s.timestamps) for s in series), dtype=np.int64, count=len(series))
        offsets = np.zeros(len(series) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        ts = np.concatenate([s.timestamps for s in series]) if series else np.empty(0, np.int64)
        vals = np.concatenate([s.values for s in series]) if series else np.empty(0, np.float64)
        return SeriesBlock([s.labels for s in series], offsets, ts.astype(np.int64, copy=False),
                           vals.astype(np.float64, copy=False))

    @staticmethod
    def empty() -> SeriesBlock:
        return SeriesBlock([], np.zeros(1, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))


class PushdownSource(Protocol):
    """Optional extension of :class:`SeriesSource`: evaluate a whole sub-expression in storage.

    The engine offers every function call and aggregation node, with the evaluation times (ms)
    and the lookback delta, before evaluating it itself. Return ``None`` to decline; otherwise a
    ``StepVector`` (see :mod:`.values`) with one column per time. Only push down what gives
    Prometheus-identical answers, and prove it by running the conformance suite on the source.
    """

    def pushdown(self, expr: object, times: I64, lookback_ms: int) -> object | None: ...


class SeriesSource(Protocol):
    """Where the engine reads samples from (memory in tests, ClickHouse in the server)."""

    def select(self, matchers: Sequence[LabelMatcher], start_ms: int, end_ms: int,
               hints: SelectHints) -> SeriesBlock:
        """Samples with ``start_ms <= ts <= end_ms`` of every series matching all ``matchers``."""
        ...
