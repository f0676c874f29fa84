"""A scrape's samples: target labels, honor_labels/timestamps, limits, duplicates, staleness."""

from __future__ import annotations

import math

import pytest

from meshscope.decode.prometheus.exposition import parse
from meshscope.promql.source import STALE_NAN_BITS
from meshscope.scrape.config import ScrapeConfig
from meshscope.scrape.samples import ScrapeFailed, process, report, stale_markers
from meshscope.scrape.targets import TargetGroup, build

TARGET = (("instance", "h:1"), ("job", "j"))
BODY = 'm{job="inner",a="1"} 1 5000\nm{a="2"} 2\nm{a="2"} 3\nother 4\n'


def cfg(**kw: object) -> ScrapeConfig:
    return ScrapeConfig(job_name="j", **kw)  # type: ignore[arg-type]


def test_target_labels_win_and_clashes_are_exported() -> None:
    r = process(parse(BODY), cfg(), TARGET, 9000, set())
    assert r.samples[0] == ({"__name__": "m", "a": "1", "exported_job": "inner", "instance": "h:1", "job": "j"},
                            5000, 1.0)
    assert len(r.samples) == 3  # the duplicate m{a="2"} is dropped, the first kept
    assert r.samples[1][2] == 2.0
    assert (r.scraped, r.post_relabel, r.added) == (4, 3, 3)


def test_honor_labels_and_timestamps() -> None:
    r = process(parse(BODY), cfg(honor_labels=True, honor_timestamps=False), TARGET, 9000, set())
    assert r.samples[0] == ({"__name__": "m", "a": "1", "instance": "h:1", "job": "inner"}, 9000, 1.0)


def test_metric_relabeling_and_limits() -> None:
    drop = {"action": "drop", "source_labels": ["__name__"], "regex": "other"}
    r = process(parse(BODY), cfg(metric_relabel_configs=[drop]), TARGET, 9000, set())
    assert r.post_relabel == 2 and r.scraped == 4
    with pytest.raises(ScrapeFailed, match="sample limit exceeded"):
        process(parse(BODY), cfg(sample_limit=2), TARGET, 9000, set())
    bad = {"source_labels": ["a"], "target_label": "__name__", "replacement": "0bad"}
    with pytest.raises(ScrapeFailed, match="invalid metric name"):
        process(parse(BODY), cfg(metric_relabel_configs=[bad]), TARGET, 9000, set())
    with pytest.raises(ScrapeFailed, match="label_value_length_limit"):
        process(parse('m{a="' + "x" * 100 + '"} 1\n'), cfg(label_value_length_limit=50), TARGET, 9000, set())


def test_staleness_candidates_skip_explicit_timestamps() -> None:
    first = process(parse(BODY), cfg(), TARGET, 9000, set())
    assert len(first.series) == 2  # m{a="1"} carried its own timestamp
    second = process(parse("other 5\n"), cfg(), TARGET, 10000, first.series)
    assert second.added == 0
    markers = stale_markers(first.series - second.series, 10000)
    assert [m[0]["a"] for m in markers] == ["2"]
    import struct

    assert struct.unpack("<Q", struct.pack("<d", markers[0][2]))[0] == STALE_NAN_BITS


def test_report_series() -> None:
    names = {s[0]["__name__"]: s[2] for s in report(TARGET, 1, False, 0.5, None)}
    assert names["up"] == 0.0 and names["scrape_duration_seconds"] == 0.5
    assert not any(math.isnan(v) for v in names.values())


def test_targets_default_port_instance_params_and_dropped() -> None:
    c = cfg(params={"module": ["a"]}, relabel_configs=[
        {"action": "drop", "source_labels": ["__address__"], "regex": "skip.*"},
        {"source_labels": ["__address__"], "target_label": "__param_target"}])
    active, dropped = build(c, [TargetGroup(("host", "skip:1", "h2:9"), (("env", "x"),))])
    assert [t.url for t in active] == ["http://host:80/metrics?module=a&target=host",
                                       "http://h2:9/metrics?module=a&target=h2%3A9"]
    assert dict(active[0].labels) == {"env": "x", "instance": "host:80", "job": "j"}
    assert dropped[0]["__address__"] == "skip:1"
    assert 0 <= active[0].offset(15) < 15 and active[0].offset(15) != active[1].offset(15)
