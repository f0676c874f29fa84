"""One target's scrape loop: fetch on a fixed, hash-spread schedule, parse, store, report.

Every scrape stores its samples plus ``up`` and the other report series in one write; a failed
scrape stores ``up`` 0 and staleness markers for the series of the last good scrape. When the
target goes away, its series (report series too) get staleness markers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from meshscope.decode.prometheus import exposition
from meshscope.decode.prometheus.prompb import PromExemplar, PromSample
from meshscope.errors import MeshscopeError
from meshscope.scrape.config import ScrapeConfig
from meshscope.scrape.samples import REPORT_NAMES, ScrapeFailed, ScrapeResult, SeriesKey, process, report, stale_markers
from meshscope.scrape.targets import Target

log = logging.getLogger(__name__)
ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
          "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
Store = Callable[[list[PromSample], list[PromExemplar], dict[str, dict[str, str]]], Awaitable[None]]


@dataclass
class TargetHealth:
    health: str = "unknown"
    last_error: str = ""
    last_scrape: float = 0.0
    last_duration: float = 0.0


class ScrapeLoop:
    def __init__(self, cfg: ScrapeConfig, target: Target, client: httpx.AsyncClient, store: Store) -> None:
        self.cfg, self.target, self.client, self.store = cfg, target, client, store
        self.health = TargetHealth()
        self.series: set[SeriesKey] = set()
        self._metadata: dict[str, dict[str, str]] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"scrape {self.target.url}")

    async def stop(self, stale: bool) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if stale:
            t_ms = int(time.time() * 1000)
            gone = self.series | {tuple(sorted({**dict(self.target.labels), "__name__": n}.items()))
                                  for n in REPORT_NAMES}
            await self._store(stale_markers(gone, t_ms), [], {})

    async def _run(self) -> None:
        interval = self.cfg.scrape_interval
        offset = self.target.offset(interval)
        now = time.time()
        next_at = now - now % interval + offset
        if next_at < now:
            next_at += interval
        while True:
            await asyncio.sleep(max(0.0, next_at - time.time()))
            await self.scrape_once()
            next_at += interval
            while next_at < time.time():  # fell behind (slow target): skip, as Prometheus does
                next_at += interval

    async def _store(self, samples: list[PromSample], exemplars: list[PromExemplar],
                     metadata: dict[str, dict[str, str]]) -> None:
        try:
            await self.store(samples, exemplars, metadata)
        except MeshscopeError as exc:
            log.warning("scrape of %s: could not store samples: %s", self.target.url, exc.message)

    async def fetch(self) -> exposition.Exposition:
        timeout = self.cfg.scrape_timeout
        headers = {"Accept": ACCEPT, "X-Prometheus-Scrape-Timeout-Seconds": f"{timeout:g}"}
        try:
            r = await self.client.get(self.target.url, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            raise ScrapeFailed("context deadline exceeded") from None
        except httpx.HTTPError as exc:
            raise ScrapeFailed(str(exc) or type(exc).__name__) from None
        if r.status_code != 200:
            raise ScrapeFailed(f"server returned HTTP status {r.status_code} {r.reason_phrase}")
        try:
            return exposition.parse(r.text, r.headers.get("content-type", ""))
        except MeshscopeError as exc:
            raise ScrapeFailed(exc.message) from None

    async def scrape_once(self) -> None:
        started = time.time()
        t_ms = int(started * 1000)
        result: ScrapeResult | None = None
        try:
            expo = await self.fetch()
            result = process(expo, self.cfg, self.target.labels, t_ms, self.series)
            error = ""
        except ScrapeFailed as exc:
            error = str(exc)
        duration = time.time() - started
        samples = list(result.samples) if result else []
        current = result.series if result else set()
        samples += stale_markers(self.series - current, t_ms)
        samples += report(self.target.labels, t_ms, result is not None, duration, result)
        metadata = self._new_metadata(expo.metadata) if result else {}
        await self._store(samples, result.exemplars if result else [], metadata)
        self.series = current
        self.health = TargetHealth("up" if result else "down", error, started, duration)

    def _new_metadata(self, metadata: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        changed = {k: v for k, v in metadata.items() if self._metadata.get(k) != v}
        self._metadata.update(changed)
        return changed
