"""Target groups of a scrape config: the dispatcher over every discovery mechanism.

``static_configs`` and ``file_sd_configs`` (JSON or YAML files, globs) live here; HTTP, DNS and
Kubernetes discovery are :class:`Provider` s in their own modules, run as tasks by the manager.

Files are re-read when their modification time or size changes (checked every poll) and at
least every ``refresh_interval``; a file that fails to parse keeps its previous groups, as in
Prometheus, so a half-written file never drops targets.
"""

from __future__ import annotations

import asyncio
import glob
import json
import logging
import os
import time
from collections.abc import Callable
from typing import Any, Protocol

import yaml

from meshscope.scrape.config import FileSdConfig, ScrapeConfig
from meshscope.scrape.targets import TargetGroup

log = logging.getLogger(__name__)


class Provider(Protocol):
    """A discovery mechanism that keeps its groups current while :meth:`run` runs (until cancelled)."""

    async def run(self) -> None: ...

    def groups(self) -> list[TargetGroup]: ...


def providers(cfg: ScrapeConfig, shared: dict[str, Provider] | None = None) -> list[Provider]:
    """The providers of one scrape config; an identical discovery config in another job (same
    kind, same settings) reuses the provider in ``shared``, as Prometheus' discovery manager
    does, so the same cluster is listed and watched once."""
    from meshscope.scrape.sd_dns import DnsDiscovery
    from meshscope.scrape.sd_http import HttpDiscovery
    from meshscope.scrape.sd_kubernetes import KubernetesDiscovery

    shared = {} if shared is None else shared
    kinds: list[tuple[str, Any, Callable[[Any], Provider]]] = [
        *(("http", c, HttpDiscovery) for c in cfg.http_sd_configs),
        *(("dns", c, DnsDiscovery) for c in cfg.dns_sd_configs),
        *(("kubernetes", c, KubernetesDiscovery) for c in cfg.kubernetes_sd_configs)]
    found = []
    for kind, c, make in kinds:
        identity = f"{kind}:{c.model_dump_json()}"
        if identity not in shared:
            shared[identity] = make(c)
        found.append(shared[identity])
    return list(dict.fromkeys(found))  # the same config twice in one job counts once


def static_groups(cfg: ScrapeConfig) -> list[TargetGroup]:
    return [TargetGroup(tuple(sc.targets), tuple(sorted(sc.labels.items())), f"{cfg.job_name}/static/{n}")
            for n, sc in enumerate(cfg.static_configs)]


def parse_file(path: str, text: str) -> list[TargetGroup]:
    data: Any = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    if data is None:
        return []
    if not isinstance(data, list):
        raise ValueError("a file_sd file must hold a list of {targets, labels} groups")
    groups = []
    for n, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("targets", []), list):
            raise ValueError(f"group {n}: expected {{targets: [...], labels: {{...}}}}")
        labels = {str(k): str(v) for k, v in (item.get("labels") or {}).items()}
        labels["__meta_filepath"] = path
        groups.append(TargetGroup(tuple(str(t) for t in item.get("targets") or []), tuple(sorted(labels.items())),
                                  f"{path}:{n}"))
    return groups


class FileDiscovery:
    """The groups of one ``file_sd_configs`` entry, kept current by :meth:`poll`."""

    def __init__(self, cfg: FileSdConfig) -> None:
        self.cfg = cfg
        self._stamps: dict[str, tuple[float, int]] = {}
        self._groups: dict[str, list[TargetGroup]] = {}
        self._read_at = 0.0

    def _paths(self) -> list[str]:
        return sorted({p for pattern in self.cfg.files for p in glob.glob(pattern)})

    def poll(self) -> bool:
        """Re-read what changed; True when the groups changed."""
        stamps = {}
        for path in self._paths():
            try:
                st = os.stat(path)
            except OSError:
                continue
            stamps[path] = (st.st_mtime, st.st_size)
        due = time.monotonic() - self._read_at >= self.cfg.refresh_interval
        if stamps == self._stamps and not due:
            return False
        before = dict(self._groups)
        for path in stamps:
            if due or stamps[path] != self._stamps.get(path):
                self._read(path)
        for path in set(self._groups) - set(stamps):
            del self._groups[path]
        self._stamps, self._read_at = stamps, time.monotonic() if due else self._read_at
        return self._groups != before

    def _read(self, path: str) -> None:
        try:
            with open(path, encoding="utf-8") as f:
                self._groups[path] = parse_file(path, f.read())
        except (OSError, ValueError, yaml.YAMLError) as exc:
            log.warning("file_sd: cannot read %s, keeping its previous targets: %s", path, exc)

    def groups(self) -> list[TargetGroup]:
        return [g for path in sorted(self._groups) for g in self._groups[path]]


async def run_forever(provider: Provider, name: str) -> None:
    """Run a provider; a bug in one discovery is logged and retried, never ends scraping."""
    while True:
        try:
            await provider.run()
        except Exception:
            log.exception("%s: discovery failed, restarting in 5s", name)
        await asyncio.sleep(5)
