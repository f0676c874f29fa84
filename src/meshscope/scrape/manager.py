"""The scrape manager: one asyncio loop in its own thread running every target's scrape loop.

It reconciles targets with discovery every second (new targets start, vanished ones stop with
staleness markers), stores scraped samples through the server's write path and answers
``/api/v1/targets``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from meshscope.decode.prometheus.prompb import PromExemplar, PromSample, encode_write_request
from meshscope.scrape.config import ScrapeConfig
from meshscope.scrape.discovery import FileDiscovery, static_groups
from meshscope.scrape.loop import ScrapeLoop
from meshscope.scrape.targets import build, go_duration
from meshscope.storage.writer import WriteResult

log = logging.getLogger(__name__)
# stream, body, rows -> the write's future (None when there was nothing to store)
Submit = Callable[[str, bytes, int], "Future[WriteResult] | None"]
POLL_S = 1.0


def _client(cfg: ScrapeConfig) -> httpx.AsyncClient:
    auth: Any = None
    headers = {"User-Agent": "meshscope-scraper (Prometheus/2.42.0 compatible)"}
    if cfg.basic_auth:
        password = Path(cfg.basic_auth.password_file).read_text().strip() if cfg.basic_auth.password_file \
            else cfg.basic_auth.password
        auth = httpx.BasicAuth(cfg.basic_auth.username, password)
    token, kind = cfg.bearer_token, "Bearer"
    if cfg.bearer_token_file:
        token = Path(cfg.bearer_token_file).read_text().strip()
    if cfg.authorization:
        kind = cfg.authorization.type
        token = Path(cfg.authorization.credentials_file).read_text().strip() \
            if cfg.authorization.credentials_file else cfg.authorization.credentials
    if token:
        headers["Authorization"] = f"{kind} {token}"
    tls = cfg.tls_config
    verify: Any = True
    if tls.insecure_skip_verify:
        verify = False
    elif tls.ca_file or tls.cert_file:
        verify = ssl.create_default_context(cafile=tls.ca_file or None)
        if tls.cert_file:
            verify.load_cert_chain(tls.cert_file, tls.key_file or None)
    return httpx.AsyncClient(auth=auth, headers=headers, verify=verify, follow_redirects=True)


class _Job:
    def __init__(self, cfg: ScrapeConfig) -> None:
        self.cfg = cfg
        self.files = [FileDiscovery(f) for f in cfg.file_sd_configs]
        self.client = _client(cfg)
        self.loops: dict[str, ScrapeLoop] = {}
        self.dropped: list[dict[str, str]] = []

    def groups(self) -> list[Any]:
        for f in self.files:
            f.poll()
        return static_groups(self.cfg) + [g for f in self.files for g in f.groups()]


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
        self._jobs = [_Job(cfg) for cfg in self.configs]
        ready.set()
        while not self._stopping.is_set():
            for job in self._jobs:
                await self._sync(job)
            try:
                await asyncio.wait_for(self._stopping.wait(), POLL_S)
            except TimeoutError:
                pass
        for job in self._jobs:  # shutting down: no staleness markers, a restart continues the series
            await asyncio.gather(*(lp.stop(stale=False) for lp in job.loops.values()))
            await job.client.aclose()

    async def _sync(self, job: _Job) -> None:
        targets, job.dropped = build(job.cfg, job.groups())
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
