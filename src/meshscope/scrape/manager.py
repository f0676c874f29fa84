"""The scrape manager: one asyncio loop in its own thread running every target's scrape loop.

It reconciles targets with discovery every second (new targets start, vanished ones stop with
staleness markers), stores scraped samples through the server's write path and answers
``/api/v1/targets``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

from meshscope.decode.prometheus.prompb import PromExemplar, PromSample, encode_write_request
from meshscope.scrape.config import ScrapeConfig
from meshscope.scrape.discovery import FileDiscovery, Provider, providers, run_forever, static_groups
from meshscope.scrape.http_client import client_for
from meshscope.scrape.loop import ScrapeLoop
from meshscope.scrape.targets import TargetBuilder, TargetGroup, go_duration
from meshscope.storage.writer import WriteResult

log = logging.getLogger(__name__)
# stream, body, rows -> the write's future (None when there was nothing to store)
Submit = Callable[[str, bytes, int], "Future[WriteResult] | None"]
POLL_S = 1.0


class _Job:
    def __init__(self, cfg: ScrapeConfig, shared: dict[str, Provider]) -> None:
        self.cfg = cfg
        self.files = [FileDiscovery(f) for f in cfg.file_sd_configs]
        self.providers: list[Provider] = providers(cfg, shared)
        self.static = static_groups(cfg)
        self.builder = TargetBuilder(cfg)
        self.client = client_for(cfg)
        self.loops: dict[str, ScrapeLoop] = {}
        self.dropped: list[dict[str, str]] = []

    def groups(self) -> list[TargetGroup]:
        for f in self.files:
            f.poll()
        return self.static + [g for f in self.files for g in f.groups()] \
            + [g for p in self.providers for g in p.groups()]


class ScrapeManager:
    def __init__(self, configs: list[ScrapeConfig], submit: Submit) -> None:
        self.configs = configs
        self.submit = submit
        self._jobs: list[_Job] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None

    def start(self) -> None:
        if not self.configs:
            return
        ready = threading.Event()
        self._thread = threading.Thread(target=self._main, args=(ready,), name="scrape-manager", daemon=True)
        self._thread.start()
        ready.wait(10)

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(30)

    def _main(self, ready: threading.Event) -> None:
        asyncio.run(self._run(ready))

    async def _run(self, ready: threading.Event) -> None:
        self._loop, self._stopping = asyncio.get_running_loop(), asyncio.Event()
        shared: dict[str, Provider] = {}
        self._jobs = [_Job(cfg, shared) for cfg in self.configs]
        discoveries = [asyncio.create_task(run_forever(p, name.split(":", 1)[0] + " discovery"))
                       for name, p in shared.items()]
        ready.set()
        while not self._stopping.is_set():
            for job in self._jobs:
                await self._sync(job)
            try:
                await asyncio.wait_for(self._stopping.wait(), POLL_S)
            except TimeoutError:
                pass
        for task in discoveries:
            task.cancel()
        await asyncio.gather(*discoveries, return_exceptions=True)
        for job in self._jobs:  # shutting down: no staleness markers, a restart continues the series
            await asyncio.gather(*(lp.stop(stale=False) for lp in job.loops.values()))
            await job.client.aclose()

    async def _sync(self, job: _Job) -> None:
        targets, job.dropped = job.builder.build(job.groups())
        wanted = {t.key: t for t in targets}
        for key in set(job.loops) - set(wanted):
            await job.loops.pop(key).stop(stale=True)
        for key, target in wanted.items():
            if key not in job.loops:
                loop = ScrapeLoop(job.cfg, target, job.client, self._store)
                job.loops[key] = loop
                loop.start()

    async def _store(self, samples: list[PromSample], exemplars: list[PromExemplar],
                     metadata: dict[str, dict[str, str]]) -> None:
        futures = []
        if samples or exemplars:
            futures.append(self.submit("prom_write", encode_write_request(samples, exemplars), len(samples)))
        if metadata:
            rows = "\n".join(json.dumps({"metric_name": k, **v}) for k, v in metadata.items()).encode()
            futures.append(self.submit("prom_metadata", rows, len(metadata)))
        # shielded: a cancelled scrape must not cancel a write the writer thread is about to resolve
        await asyncio.shield(asyncio.gather(*(asyncio.wrap_future(f) for f in futures if f is not None)))

    def targets_api(self, state: str = "any") -> dict[str, Any]:
        """``/api/v1/targets`` data (read from another thread: plain attribute reads only)."""
        active, dropped = [], []
        for job in list(self._jobs):
            for lp in list(job.loops.values()):
                h = lp.health
                active.append({
                    "discoveredLabels": dict(lp.target.discovered), "labels": dict(lp.target.labels),
                    "scrapePool": job.cfg.job_name, "scrapeUrl": lp.target.url, "globalUrl": lp.target.url,
                    "lastError": h.last_error,
                    "lastScrape": datetime.fromtimestamp(h.last_scrape, UTC).isoformat()
                    if h.last_scrape else "0001-01-01T00:00:00Z",
                    "lastScrapeDuration": h.last_duration, "health": h.health,
                    "scrapeInterval": go_duration(job.cfg.scrape_interval),
                    "scrapeTimeout": go_duration(job.cfg.scrape_timeout)})
            dropped += [{"discoveredLabels": d} for d in job.dropped]
        return {"activeTargets": active if state in ("any", "active") else [],
                "droppedTargets": dropped if state in ("any", "dropped") else []}
