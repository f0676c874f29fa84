"""Label sets of series by fingerprint, kept between queries.

A fingerprint is the hash of a series' label pairs (computed in SQL on every write path), so the
labels behind a fingerprint never change: an entry can never be stale, only missing. Keeping them
saves every query the ``metric_series`` read of its labels and the Python tuples built from it,
which cost as much as the samples for a dashboard query over thousands of series.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import NamedTuple, cast

import numpy as np
import numpy.typing as npt

from meshscope.promql.labels import Labels, sort_key

Fetch = Callable[[list[int]], Iterable[tuple[int, Labels]]]
Entry = tuple[Labels, str | None]  # a series' labels and their sort key (see labels.sort_key)
MAX_ORDERED = 1_000_000  # fingerprints in the kept label orders, all sets together (~24 B each)


class LabelOrder(NamedTuple):
    """Series of a set of fingerprints, in Prometheus' label order."""

    labels: tuple[Labels, ...]  # of the fingerprints storage knows a series for, in label order (see ``ordered``)
    rank: npt.NDArray[np.int64]  # per fingerprint, its position in ``labels``; -1 where storage knows none
    ordered: bool  # False when a label set holds a NUL: ``labels`` is then in fingerprint order


class SeriesLabels:
    """fingerprint → labels, bounded: when full it starts over (a miss only costs a lookup)."""

    def __init__(self, max_series: int = 500_000) -> None:
        self.max_series = max_series
        self._known: dict[int, Entry] = {}
        self._orders: dict[bytes, LabelOrder] = {}
        self._ordered = 0  # fingerprints in ``_orders``
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

    def order(self, fingerprints: npt.NDArray[np.uint64], fetch: Fetch) -> LabelOrder:
        """The label order of distinct ``fingerprints``. Sorting the sort keys costs a few hundred
        µs per query over hundreds of series; the answer for one set never changes (labels never
        do), so it is kept for sets where every fingerprint had a series."""
        key = fingerprints.tobytes()
        kept = self._orders.get(key)
        if kept is not None:
            return kept
        entries = self.lookup(fingerprints, fetch)
        found = [i for i, e in enumerate(entries) if e is not None]
        keys = [entries[i][1] for i in found]  # type: ignore[index]
        if None not in keys:
            sort_keys = cast(list[str], keys)
            found = [found[k] for k in sorted(range(len(found)), key=sort_keys.__getitem__)]
        rank = np.full(len(entries), -1, dtype=np.int64)
        rank[np.asarray(found, dtype=np.int64)] = np.arange(len(found))
        rank.flags.writeable = False  # shared by the queries that find this order kept
        order = LabelOrder(tuple(entries[i][0] for i in found), rank, None not in keys)  # type: ignore[index]
        if len(found) == len(entries):
            with self._lock:
                if self._ordered + len(entries) > MAX_ORDERED:
                    self._orders.clear()
                    self._ordered = 0
                if self._orders.setdefault(key, order) is order:
                    self._ordered += len(entries)
        return order

