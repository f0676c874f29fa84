"""From discovered target groups to scrape targets, as Prometheus' ``populateLabels`` does.

Job defaults (``job``, ``__scheme__``, ``__metrics_path__``, ``__param_*``) are added, relabeling
runs, ``instance`` defaults to the address (with the scheme's default port, as 2.42 adds it) and
labels starting with ``__`` are removed from what gets stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from meshscope.scrape.config import ScrapeConfig
from meshscope.scrape.relabel import relabel

LabelPairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class TargetGroup:
    """Addresses sharing ``labels``; ``target_labels`` (when given, one per address) are each
    target's own labels, which win over the group's, as in Prometheus' ``targetgroup.Group``."""

    targets: tuple[str, ...]
    labels: LabelPairs = ()
    source: str = ""
    target_labels: tuple[LabelPairs, ...] = ()


@dataclass(frozen=True)
class Target:
    job: str
    labels: tuple[tuple[str, str], ...]  # what every scraped series gets
    discovered: tuple[tuple[str, str], ...]
    url: str
    key: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.url}|{self.labels}")

    def offset(self, interval_s: float, seed: int = 0) -> float:
        """Where in each interval this target is scraped: spread by a hash, stable across restarts."""
        digest = int.from_bytes(hashlib.blake2b(self.key.encode(), digest_size=8).digest(), "big")
        return ((digest ^ seed) % max(1, int(interval_s * 1e9))) / 1e9


def _with_port(address: str, scheme: str) -> str:
    host = address.rsplit("]", 1)[-1]
    if ":" in host:
        return address
    return f"{address}:{443 if scheme == 'https' else 80}"


def _discovered(cfg: ScrapeConfig, group: TargetGroup, address: str, own: LabelPairs) -> dict[str, str]:
    """Prometheus' pre-relabeling labels: the target's, then the group's, empty values absent (its
    label builder deletes a label set to ""), job defaults where missing, then the config's params."""
    lb = {**dict(group.labels), "__address__": address, **dict(own)}
    lb = {k: v for k, v in lb.items() if v != ""}
    defaults = {"job": cfg.job_name, "__scrape_interval__": go_duration(cfg.scrape_interval),
                "__scrape_timeout__": go_duration(cfg.scrape_timeout), "__metrics_path__": cfg.metrics_path,
                "__scheme__": cfg.scheme}
    for name, value in defaults.items():
        lb.setdefault(name, value)
    for name, values in cfg.params.items():
        if values and values[0]:
            lb[f"__param_{name}"] = values[0]
        elif values:
            lb.pop(f"__param_{name}", None)
    return lb


def build(cfg: ScrapeConfig, groups: list[TargetGroup]) -> tuple[list[Target], list[dict[str, str]]]:
    """Active targets (deduplicated) and the discovered label sets relabeling dropped."""
    return TargetBuilder(cfg).build(groups)


def _group_targets(cfg: ScrapeConfig, group: TargetGroup) -> tuple[list[Target], list[dict[str, str]]]:
    active: list[Target] = []
    dropped: list[dict[str, str]] = []
    for n, address in enumerate(group.targets):
        own = group.target_labels[n] if group.target_labels else ()
        discovered = _discovered(cfg, group, address, own)
        final = relabel(discovered, cfg.relabel_configs)
        if final is None or not final.get("__address__"):
            dropped.append(discovered)
        else:
            active.append(_target(cfg, discovered, final))
    return active, dropped


class TargetBuilder:
    """:func:`build` that remembers each group's result while discovery hands back the same group
    object (providers replace a group only when it changes), so relabeling thousands of
    unchanged targets is not redone on every reconciliation."""

    def __init__(self, cfg: ScrapeConfig) -> None:
        self.cfg = cfg
        self._cache: dict[int, tuple[TargetGroup, list[Target], list[dict[str, str]]]] = {}

    def build(self, groups: list[TargetGroup]) -> tuple[list[Target], list[dict[str, str]]]:
        cache: dict[int, tuple[TargetGroup, list[Target], list[dict[str, str]]]] = {}
        active: dict[str, Target] = {}
        dropped: list[dict[str, str]] = []
        for group in groups:
            hit = self._cache.get(id(group))
            if hit is None or hit[0] is not group:
                hit = (group, *_group_targets(self.cfg, group))
            cache[id(group)] = hit
            for target in hit[1]:
                active.setdefault(target.key, target)
            dropped += hit[2]
        self._cache = cache
        return list(active.values()), dropped


def _target(cfg: ScrapeConfig, discovered: dict[str, str], lb: dict[str, str]) -> Target:
    scheme = lb.get("__scheme__", cfg.scheme)
    address = _with_port(lb["__address__"], scheme)
    lb.setdefault("instance", address)
    params = {k: list(v) for k, v in cfg.params.items()}
    for name, value in lb.items():
        if name.startswith("__param_"):
            params[name[len("__param_"):]] = [value]
    query = urlencode([(k, v) for k, vs in sorted(params.items()) for v in vs])  # sorted, as Go encodes
    url = f"{scheme}://{address}{lb.get('__metrics_path__', cfg.metrics_path)}" + (f"?{query}" if query else "")
    public = tuple(sorted((k, v) for k, v in lb.items() if not k.startswith("__") and v != ""))
    return Target(cfg.job_name, public, tuple(sorted(discovered.items())), url)


def go_duration(seconds: float) -> str:
    """Prometheus' duration text: ``1m``, ``15s``, ``1m30s``, ``500ms``."""
    ms = round(seconds * 1000)
    if ms == 0:
        return "0s"
    out = ""
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):
        if ms >= size:
            out += f"{ms // size}{unit}"
            ms %= size
    return out


