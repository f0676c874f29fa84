"""Small builders shared by the PromQL unit tests."""

from __future__ import annotations

from collections.abc import Sequence

from meshscope.promql import Engine, EngineOptions, MemorySource
from meshscope.promql.labels import Labels, from_mapping


def labels(name: str | None = None, **pairs: str) -> Labels:
    return from_mapping({**({"__name__": name} if name else {}), **pairs})


def engine(series: dict[Labels, Sequence[tuple[int, float]]], **options: object) -> Engine:
    source = MemorySource(record=True)
    for lbls, samples in series.items():
        source.add(lbls, [t for t, _ in samples], [v for _, v in samples])
    return Engine(source, EngineOptions(**options))  # type: ignore[arg-type]


def every(step_ms: int, values: Sequence[float], start_ms: int = 0) -> list[tuple[int, float]]:
    return [(start_ms + i * step_ms, v) for i, v in enumerate(values)]
