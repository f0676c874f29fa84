"""An in-memory :class:`~meshscope.promql.source.SeriesSource` for tests and the test-file runner."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from meshscope.promql.labels import Labels
from meshscope.promql.matchers import LabelMatcher, matches_all
from meshscope.promql.source import SelectHints, Series, SeriesBlock


class MemorySource:
    """Series kept as numpy arrays; ``select`` filters with the reference matcher semantics."""

    def __init__(self, series: Iterable[Series] = (), record: bool = False) -> None:
        self._series: dict[Labels, Series] = {}
        self.record = record
        self.selects: list[tuple[tuple[LabelMatcher, ...], int, int, SelectHints]] = []
        for s in series:
            self.add(s.labels, s.timestamps, s.values)

    def add(self, labels: Labels, timestamps: Sequence[int] | np.ndarray,
            values: Sequence[float] | np.ndarray) -> None:
        """Add or replace a series (samples are sorted by time here)."""
        ts = np.asarray(timestamps, dtype=np.int64)
        vals = np.asarray(values, dtype=np.float64)
        order = np.argsort(ts, kind="stable")
        self._series[labels] = Series(labels, ts[order], vals[order])

    def clear(self) -> None:
        self._series.clear()

    def __len__(self) -> int:
        return len(self._series)

    def select(self, matchers: Sequence[LabelMatcher], start_ms: int, end_ms: int,
               hints: SelectHints) -> SeriesBlock:
        if self.record:  # tests check what the engine asked for
            self.selects.append((tuple(matchers), start_ms, end_ms, hints))
        picked = []
        for labels in sorted(self._series):
            if not matches_all(matchers, dict(labels)):
                continue
            s = self._series[labels]
            a = int(np.searchsorted(s.timestamps, start_ms, side="left"))
            b = int(np.searchsorted(s.timestamps, end_ms, side="right"))
            if a < b:
                picked.append(Series(labels, s.timestamps[a:b], s.values[a:b]))
        return SeriesBlock.from_series(picked)
