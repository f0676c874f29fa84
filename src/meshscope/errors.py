"""One error tree for meshscope.

Every error carries a Prometheus-style ``error_type`` so the API layer can map it to an HTTP
status in one place, and ingest can tell a retryable condition from bad data.
"""

from __future__ import annotations


class MeshscopeError(Exception):
    """Root of every error meshscope raises on purpose."""

    error_type = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadData(MeshscopeError):
    """The input is wrong and sending it again will not help (HTTP 400)."""

    error_type = "bad_data"


class PayloadTooLarge(BadData):
    """The request body is over the configured limit (HTTP 413)."""


class UnsupportedMediaType(BadData):
    """The content type is not one this endpoint reads (HTTP 415)."""


class NotFound(MeshscopeError):
    error_type = "not_found"


class Unavailable(MeshscopeError):
    """A retry later can succeed: the write path is full or storage is down (HTTP 429/503)."""

    error_type = "unavailable"

    def __init__(self, message: str, retry_after_s: float = 1.0, overloaded: bool = False) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.overloaded = overloaded


class QueryTimeout(MeshscopeError):
    error_type = "timeout"


class ExecutionError(MeshscopeError):
    error_type = "execution"


class StorageError(MeshscopeError):
    """Storage refused a statement for a reason that is not the caller's input."""

    error_type = "internal"


class ConfigError(MeshscopeError):
    """The configuration is invalid; the message names the key."""

    error_type = "bad_data"
