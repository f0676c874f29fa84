"""The httpx client for scrapes and HTTP-based discovery, from Prometheus' HTTP client keys.

Credentials files are read when the client is built; TLS settings become an ``ssl`` context.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import httpx

from meshscope.scrape.config import Authorization, BasicAuth, HttpClientConfig, TlsConfig
from meshscope.scrape.oauth2 import OAuth2ClientCredentials

USER_AGENT = "meshscope-scraper (Prometheus/2.42.0 compatible)"


def ssl_context(tls: TlsConfig) -> ssl.SSLContext | bool:
    """``True`` (system CAs), ``False`` (skip verification) or a context with the configured files."""
    if tls.insecure_skip_verify:
        return False
    if not (tls.ca_file or tls.cert_file):
        return True
    ctx = ssl.create_default_context(cafile=tls.ca_file or None)
    if tls.cert_file:
        ctx.load_cert_chain(tls.cert_file, tls.key_file or None)
    return ctx


def auth_headers(authorization: Authorization | None, bearer_token: str = "",
                 bearer_token_file: str = "") -> dict[str, str]:
    token, kind = bearer_token, "Bearer"
    if bearer_token_file:
        token = Path(bearer_token_file).read_text().strip()
    if authorization:
        kind = authorization.type
        token = Path(authorization.credentials_file).read_text().strip() if authorization.credentials_file \
            else authorization.credentials
    return {"Authorization": f"{kind} {token}"} if token else {}


def basic_auth(cfg: BasicAuth | None) -> httpx.BasicAuth | None:
    if cfg is None:
        return None
    password = Path(cfg.password_file).read_text().strip() if cfg.password_file else cfg.password
    return httpx.BasicAuth(cfg.username, password)


def client_for(cfg: HttpClientConfig, timeout: float | None = None) -> httpx.AsyncClient:
    """The client for a config carrying Prometheus' HTTP client keys."""
    headers = {"User-Agent": USER_AGENT, **auth_headers(cfg.authorization, cfg.bearer_token, cfg.bearer_token_file)}
    verify: Any = ssl_context(cfg.tls_config)
    auth: httpx.Auth | None = basic_auth(cfg.basic_auth)
    if cfg.oauth2 is not None:
        auth = OAuth2ClientCredentials(cfg.oauth2, ssl_context(cfg.oauth2.tls_config))
    return httpx.AsyncClient(auth=auth, headers=headers, verify=verify,
                             proxy=cfg.proxy_url or None, follow_redirects=cfg.follow_redirects, timeout=timeout)
