"""One scrape's exposition to stored samples: target labels, honor_labels/timestamps, metric
relabeling, limits, duplicates, and the staleness markers of series that went away.

Pure: :func:`process` takes the parsed body and what the previous scrape left and returns what
to store. Errors that fail a scrape in Prometheus (invalid names after relabeling, limits) raise
:class:`ScrapeFailed` so the caller stores nothing of it but ``up`` 0 and staleness markers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from meshscope.decode.prometheus.exposition import Exposition
from meshscope.decode.prometheus.prompb import PromExemplar, PromSample
from meshscope.promql.source import STALE_NAN
from meshscope.scrape.config import ScrapeConfig
from meshscope.scrape.relabel import relabel

_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
SeriesKey = tuple[tuple[str, str], ...]


class ScrapeFailed(Exception):
    """The scrape as a whole is refused (Prometheus' scrape error)."""


@dataclass
class ScrapeResult:
    samples: list[PromSample] = field(default_factory=list)
    exemplars: list[PromExemplar] = field(default_factory=list)
    series: set[SeriesKey] = field(default_factory=set)  # those eligible for staleness markers
    scraped: int = 0
    post_relabel: int = 0
    added: int = 0


def merge_target_labels(lb: dict[str, str], target: SeriesKey, honor: bool) -> dict[str, str]:
    """Target labels win, a clashing scraped label becomes ``exported_<name>``; with honor_labels
    the scraped value wins instead."""
    for name, value in target:
        if honor:
            if not lb.get(name):
                lb[name] = value
            continue
        if lb.get(name):
            exported = "exported_" + name
            while exported in lb:
                exported = "exported_" + exported
            lb[exported] = lb[name]
        lb[name] = value
    return {k: v for k, v in lb.items() if v != ""}


def _check(lb: dict[str, str], cfg: ScrapeConfig) -> None:
    if not _METRIC_NAME.match(lb.get("__name__", "")):
        raise ScrapeFailed(f"invalid metric name {lb.get('__name__', '')!r}")
    for name, value in lb.items():
        if name != "__name__" and not _LABEL_NAME.match(name):
            raise ScrapeFailed(f"invalid label name {name!r}")
        if cfg.label_name_length_limit and len(name) > cfg.label_name_length_limit:
            raise ScrapeFailed(f"label name {name!r} is longer than label_name_length_limit")
        if cfg.label_value_length_limit and len(value) > cfg.label_value_length_limit:
            raise ScrapeFailed(f"value of label {name!r} is longer than label_value_length_limit")
    if cfg.label_limit and len(lb) - 1 > cfg.label_limit:
        raise ScrapeFailed(f"label_limit exceeded ({len(lb) - 1} > {cfg.label_limit})")


def process(expo: Exposition, cfg: ScrapeConfig, target: SeriesKey, t_ms: int,
            previous: set[SeriesKey]) -> ScrapeResult:
    out = ScrapeResult(scraped=len(expo.samples))
    seen: set[SeriesKey] = set()
    for s in expo.samples:
        lb = merge_target_labels({"__name__": s.name, **dict(s.labels)}, target, cfg.honor_labels)
        final = relabel(lb, cfg.metric_relabel_configs) if cfg.metric_relabel_configs else lb
        if final is None:
            continue
        _check(final, cfg)
        key = tuple(sorted(final.items()))
        if key in seen:
            continue  # Prometheus: "duplicate sample for timestamp"; the first one is kept
        seen.add(key)
        explicit = cfg.honor_timestamps and s.timestamp_ms is not None
        ts = s.timestamp_ms if explicit and s.timestamp_ms is not None else t_ms
        out.samples.append((final, ts, s.value))
        if not explicit:
            out.series.add(key)
        if s.exemplar is not None:
            ex_labels, ex_value, ex_ts = s.exemplar
            out.exemplars.append((final, dict(ex_labels), ex_ts if ex_ts is not None else ts, ex_value))
    out.post_relabel = len(out.samples)
    if cfg.sample_limit and out.post_relabel > cfg.sample_limit:
        raise ScrapeFailed(f"sample limit exceeded ({out.post_relabel} > {cfg.sample_limit})")
    out.added = len(seen - previous)
    return out


def stale_markers(gone: set[SeriesKey], t_ms: int) -> list[PromSample]:
    return [(dict(key), t_ms, STALE_NAN) for key in sorted(gone)]


def report(target: SeriesKey, t_ms: int, up: bool, duration_s: float, result: ScrapeResult | None) -> list[PromSample]:
    """The synthetic series Prometheus writes for every scrape."""
    values = {"up": 1.0 if up else 0.0, "scrape_duration_seconds": duration_s,
              "scrape_samples_scraped": float(result.scraped if result else 0),
              "scrape_samples_post_metric_relabeling": float(result.post_relabel if result else 0),
              "scrape_series_added": float(result.added if result else 0)}
    base = dict(target)
    return [({**base, "__name__": name}, t_ms, value) for name, value in values.items()]


REPORT_NAMES = ("up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
                "scrape_series_added")
