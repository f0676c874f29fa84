"""PromQL for meshscope: Prometheus 2.42 semantics, numpy evaluation, storage behind a protocol.

``Engine(source).instant(query, t_ms)`` / ``.range(query, start_ms, end_ms, step_ms)``; the
source is anything implementing :class:`SeriesSource` (see :mod:`.source`).
"""

from meshscope.promql.engine import Engine, EngineOptions
from meshscope.promql.errors import (
                                     BadQuery,
                                     EvaluationError,
                                     ParseError,
                                     PromQLError,
                                     QueryTimeoutError,
                                     TooManySamples,
)
from meshscope.promql.matchers import LabelMatcher
from meshscope.promql.memory import MemorySource
from meshscope.promql.parse import parse_query
from meshscope.promql.source import STALE_NAN, PushdownSource, SelectHints, Series, SeriesBlock, SeriesSource
from meshscope.promql.values import Matrix, QueryValue, RangeSeries, Sample, Scalar, String, Vector

__all__ = [
                                     "STALE_NAN",
                                     "BadQuery",
                                     "Engine",
                                     "EngineOptions",
                                     "EvaluationError",
                                     "LabelMatcher",
                                     "Matrix",
                                     "MemorySource",
                                     "ParseError",
                                     "PromQLError",
                                     "PushdownSource",
                                     "QueryTimeoutError",
                                     "QueryValue",
                                     "RangeSeries",
                                     "Sample",
                                     "Scalar",
                                     "SelectHints",
                                     "Series",
                                     "SeriesBlock",
                                     "SeriesSource",
                                     "String",
                                     "TooManySamples",
                                     "Vector",
                                     "parse_query",
]
