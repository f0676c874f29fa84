"""Our errors to HTTP statuses, in one place."""

from __future__ import annotations

import math

from meshscope.errors import (
    BadData,
    MeshscopeError,
    NotFound,
    PayloadTooLarge,
    QueryTimeout,
    Unavailable,
    UnsupportedMediaType,
)


def http_status(exc: MeshscopeError) -> int:
    if isinstance(exc, PayloadTooLarge):
        return 413
    if isinstance(exc, UnsupportedMediaType):
        return 415
    if isinstance(exc, BadData):
        return 400
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Unavailable):
        return 429 if exc.overloaded else 503
    if isinstance(exc, QueryTimeout):
        return 503
    return 500


def retry_headers(exc: MeshscopeError) -> dict[str, str]:
    if isinstance(exc, Unavailable):
        return {"Retry-After": str(max(1, math.ceil(exc.retry_after_s)))}
    return {}
