"""Calls between demo services: an instrumented httpx client plus error translation.

The client's instrumentation makes the CLIENT spans and injects ``traceparent``, which is what
stitches one request across services into one trace. Failures become :class:`PeerError` with the
status the caller should answer, so handlers stay linear.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor


class PeerError(Exception):
    """A peer was unreachable, too slow, or answered with an error."""

    def __init__(self, peer: str, status: int, reason: str) -> None:
        super().__init__(f"{peer}: {reason}")
        self.peer = peer
        self.status = status
        self.reason = reason


class Peers:
    """Base URLs of the services this one calls, and one shared connection pool."""

    def __init__(self, urls: Mapping[str, str], timeout_s: float = 5.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.urls = dict(urls)
        self.timeout_s = timeout_s
        self._transport = transport  # tests route calls to in-process apps
        self._client = httpx.AsyncClient(timeout=timeout_s, transport=transport)
        HTTPXClientInstrumentor.instrument_client(self._client)

    def plain_client(self, timeout_s: float = 2.0) -> httpx.AsyncClient:
        """An uninstrumented client to the same peers, for hops traced by other means (messaging)."""
        return httpx.AsyncClient(timeout=timeout_s, transport=self._transport)

    def url(self, peer: str) -> str:
        try:
            return self.urls[peer].rstrip("/")
        except KeyError:
            raise PeerError(peer, 500, f"no URL configured for {peer}") from None

    async def request(self, peer: str, method: str, path: str, *, timeout_s: float | None = None,
                      **kwargs: Any) -> httpx.Response:
        """Send one request; transport failures and timeouts raise, HTTP errors are returned."""
        timeout = timeout_s or self.timeout_s
        try:
            return await self._client.request(method, self.url(peer) + path, timeout=timeout, **kwargs)
        except httpx.TimeoutException:
            raise PeerError(peer, 504, f"{peer} did not answer within {timeout:g}s") from None
        except httpx.TransportError as exc:
            raise PeerError(peer, 503, f"{peer} unreachable: {exc!r}") from None

    async def call(self, peer: str, method: str, path: str, **kwargs: Any) -> Any:
        """Like :meth:`request` but returns the JSON body and raises on an error status.

        A 4xx keeps its status (the caller's fault travels up); a 5xx becomes 502, the gateway
        convention for "something behind me failed".
        """
        resp = await self.request(peer, method, path, **kwargs)
        if resp.status_code >= 400:
            raise PeerError(peer, resp.status_code if resp.status_code < 500 else 502, _reason(resp))
        return resp.json()

    async def aclose(self) -> None:
        await self._client.aclose()


def _reason(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return f"HTTP {resp.status_code}"
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])
    return f"HTTP {resp.status_code}"
