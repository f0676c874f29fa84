"""Errors of the PromQL layer, worded like Prometheus so users can search them.

Each class also derives from the matching class of :mod:`meshscope.errors`, so the API layer maps
any of them to an HTTP status through ``error_type`` without knowing this package.
"""

from __future__ import annotations

from meshscope.errors import BadData, ExecutionError, MeshscopeError, QueryTimeout

TOO_MANY_SAMPLES = "query processing would load too many samples into memory in query execution"


class PromQLError(MeshscopeError):
    """Root of every error the PromQL parser and engine raise."""


class ParseError(PromQLError, BadData):
    """The query text is not valid PromQL (2.42 dialect); ``position`` is a 0-based offset or None."""

    def __init__(self, message: str, position: int | None = None, query: str = "") -> None:
        self.position = position
        self.reason = message
        if position is None:
            text = f"parse error: {message}"
        else:
            line, col = _line_col(query, position)
            text = f"{line}:{col}: parse error: {message}"
        super().__init__(text)


class EvaluationError(PromQLError, ExecutionError):
    """The query is valid but cannot be evaluated on this data (duplicate series, bad arguments)."""


class TooManySamples(EvaluationError):
    """The query would hold more samples at once than the configured maximum."""

    def __init__(self) -> None:
        super().__init__(TOO_MANY_SAMPLES)


class QueryTimeoutError(PromQLError, QueryTimeout):
    """The query ran past its deadline."""

    def __init__(self, where: str = "expression evaluation") -> None:
        super().__init__(f"query timed out in {where}")


class BadQuery(PromQLError, BadData):
    """A request parameter is invalid, e.g. a range query over a range-vector expression."""


def _line_col(query: str, position: int) -> tuple[int, int]:
    """1-based line and column of ``position`` the way Prometheus prints them."""
    before = query[:position]
    line = before.count("\n") + 1
    col = position - (before.rfind("\n") + 1) + 1
    return line, col
