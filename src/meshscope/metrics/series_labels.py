"""Label sets of series by fingerprint, kept between queries.

A fingerprint is the hash of a series' label pairs (computed in SQL on every write path), so the
labels behind a fingerprint never change: an entry can never be stale, only missing. Keeping them
saves every query the ``metric_series`` read of its labels and the Python tuples built from it,
which cost as much as the samples for a dashboard query over thousands of series.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

import numpy as np
import numpy.typing as npt

from meshscope.promql.labels import Labels, sort_key

Fetch = Callable[[list[int]], Iterable[tuple[int, Labels]]]
Entry = tuple[Labels, str | None]  # a series' labels and their sort key (see labels.sort_key)


class SeriesLabels:
    """fingerprint → labels, bounded: when full it starts over (a miss only costs a lookup)."""

    def __init__(self, max_series: int = 500_000) -> None:
        self.max_series = max_series
        self._known: dict[int, Entry] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._known)

    def lookup(self, fingerprints: npt.NDArray[np.uint64], fetch: Fetch) -> list[Entry | None]:
        """Labels (and sort key) of every fingerprint, ``fetch`` asked once for the unknown ones;
        ``None`` where storage knows no series for a fingerprint."""
        fps = fingerprints.tolist()
        known = self._known
        found = [known.get(fp) for fp in fps]
        missing = [fp for fp, lb in zip(fps, found, strict=True) if lb is None]
        if not missing:
            return found
        fetched = {fp: (lb, sort_key(lb)) for fp, lb in fetch(missing)}
        with self._lock:
            if len(known) + len(fetched) > self.max_series:
                known.clear()
            known.update(fetched)
        return [lb if lb is not None else fetched.get(fp) for fp, lb in zip(fps, found, strict=True)]
