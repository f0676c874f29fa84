"""``http_sd_configs``: poll a URL answering a JSON list of ``{targets, labels}`` groups.

As in Prometheus, only ``application/json`` with status 200 is accepted, every target gets
``__meta_url``, and any failure keeps the previous groups so an outage of the discovery
endpoint never drops targets.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx

from meshscope.scrape.config import HttpSdConfig
from meshscope.scrape.http_client import client_for
from meshscope.scrape.targets import TargetGroup

log = logging.getLogger(__name__)


class HttpSdError(Exception):
    """The endpoint's answer cannot be used; the previous groups stay."""


def parse_groups(url: str, body: str) -> list[TargetGroup]:
    try:
        data: Any = json.loads(body)
    except ValueError as exc:
        raise HttpSdError(f"invalid JSON: {exc}") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise HttpSdError("expected a JSON list of {targets, labels} groups")
    return [_group(url, n, item) for n, item in enumerate(data)]


def _group(url: str, n: int, item: Any) -> TargetGroup:
    if not isinstance(item, dict):
        raise HttpSdError(f"group {n}: expected an object with targets and labels")
    targets, labels = item.get("targets") or [], item.get("labels") or {}
    if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
        raise HttpSdError(f"group {n}: targets must be a list of strings")
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise HttpSdError(f"group {n}: labels must map names to strings")
    merged = {**labels, "__meta_url": url}
    return TargetGroup(tuple(targets), tuple(sorted(merged.items())), f"{url}:{n}")


class HttpDiscovery:
    def __init__(self, cfg: HttpSdConfig) -> None:
        self.cfg = cfg
        self._groups: list[TargetGroup] = []
        self.last_error = ""

    def groups(self) -> list[TargetGroup]:
        return self._groups

    async def run(self) -> None:
        cfg = self.cfg
        async with client_for(cfg, timeout=cfg.refresh_interval) as client:
            while True:
                await self.refresh(client)
                await asyncio.sleep(cfg.refresh_interval)

    async def refresh(self, client: httpx.AsyncClient) -> None:
        try:
            self._groups = await self._fetch(client)
            self.last_error = ""
        except HttpSdError as exc:
            self.last_error = str(exc)
            log.warning("http_sd %s: %s; keeping the previous targets", self.cfg.url, exc)

    async def _fetch(self, client: httpx.AsyncClient) -> list[TargetGroup]:
        headers = {"X-Prometheus-Refresh-Interval-Seconds": f"{self.cfg.refresh_interval:g}"}
        try:
            r = await client.get(self.cfg.url, headers=headers)
        except httpx.HTTPError as exc:
            raise HttpSdError(str(exc) or type(exc).__name__) from None
        if r.status_code != 200:
            raise HttpSdError(f"server returned HTTP status {r.status_code} {r.reason_phrase}")
        content_type = r.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise HttpSdError(f"unsupported content type {r.headers.get('content-type', '')!r}")
        return parse_groups(self.cfg.url, r.text)
