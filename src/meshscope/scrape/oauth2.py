"""``oauth2`` (client credentials grant) for scrapes and discovery, as Prometheus' HTTP client does it.

A token is fetched from ``token_url`` with the client id and secret in a Basic ``Authorization``
header (``grant_type=client_credentials``, ``scope`` space-separated, plus ``endpoint_params``),
kept until ten seconds before it expires, and sent as ``Authorization: Bearer``. The token
request uses the ``oauth2`` block's own ``tls_config`` and ``proxy_url``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Generator
from pathlib import Path
from typing import Any

import httpx

from meshscope.scrape.config import OAuth2

EXPIRY_MARGIN_S = 10.0  # golang.org/x/oauth2's expiryDelta


class OAuth2ClientCredentials(httpx.Auth):
    def __init__(self, cfg: OAuth2, verify: Any) -> None:
        self.cfg, self.verify = cfg, verify
        self._token, self._expires_at = "", 0.0
        self._lock: asyncio.Lock | None = None

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("oauth2 is implemented for the asynchronous client only")

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = f"Bearer {await self.token()}"
        yield request

    async def token(self) -> str:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:  # concurrent scrapes share one token request
            if not self._token or time.monotonic() >= self._expires_at:
                self._token, self._expires_at = await self._fetch()
            return self._token

    async def _fetch(self) -> tuple[str, float]:
        cfg = self.cfg
        try:
            secret = Path(cfg.client_secret_file).read_text().strip() if cfg.client_secret_file \
                else cfg.client_secret
        except OSError as exc:  # reported like any other failed request, never raised into a scrape loop
            raise httpx.TransportError(f"oauth2: cannot read client_secret_file: {exc}") from None
        form = {"grant_type": "client_credentials", **cfg.endpoint_params}
        if cfg.scopes:
            form["scope"] = " ".join(cfg.scopes)
        async with httpx.AsyncClient(verify=self.verify, proxy=cfg.proxy_url or None, timeout=30) as client:
            r = await client.post(cfg.token_url, data=form, auth=(cfg.client_id, secret))
        if r.status_code != 200:
            raise httpx.HTTPStatusError(f"oauth2: token request to {cfg.token_url} returned HTTP status "
                                        f"{r.status_code}: {r.text[:200]}", request=r.request, response=r)
        try:
            body = r.json()
            token = str(body["access_token"])
        except (ValueError, KeyError, TypeError):
            raise httpx.DecodingError(f"oauth2: no access_token in the answer of {cfg.token_url}",
                                      request=r.request) from None
        expires_in = body.get("expires_in")
        lifetime = float(expires_in) - EXPIRY_MARGIN_S if expires_in else float("inf")
        return token, time.monotonic() + lifetime
