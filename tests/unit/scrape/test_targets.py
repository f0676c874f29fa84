"""Building targets from groups: per-target labels win over the group's; unchanged groups are reused."""

from __future__ import annotations

from meshscope.scrape.config import ScrapeConfig
from meshscope.scrape.targets import TargetBuilder, TargetGroup, build


def test_target_builder_reuses_unchanged_groups() -> None:
    cfg = ScrapeConfig.model_validate({"job_name": "j", "relabel_configs": [
        {"action": "drop", "source_labels": ["team"], "regex": "red"}]})
    blue = TargetGroup(("a:1", "b:1"), (("team", "blue"),), "g1")
    red = TargetGroup(("c:1",), (("team", "red"),), "g2")
    builder = TargetBuilder(cfg)
    first, dropped = builder.build([blue, red])
    again, dropped_again = builder.build([blue, red])
    assert [t.url for t in first] == ["http://a:1/metrics", "http://b:1/metrics"]
    assert all(x is y for x, y in zip(first, again, strict=True))  # not relabeled again
    assert dropped == dropped_again and len(dropped) == 1
    changed = TargetGroup(("a:1", "b:1"), (("team", "green"),), "g1")  # a new object for the same source
    rebuilt, _ = builder.build([changed, red])
    assert [dict(t.labels)["team"] for t in rebuilt] == ["green", "green"]
    assert builder.build([])[0] == []


def test_target_labels_override_group_labels() -> None:
    group = TargetGroup(("h:1", "h:2"), (("zone", "a"), ("team", "x")), "g",
                        ((("zone", "b"),), (("__meta_port", "2"),)))
    targets, _ = build(ScrapeConfig(job_name="j"), [group])
    assert [dict(t.labels)["zone"] for t in targets] == ["b", "a"]
    assert dict(targets[1].discovered)["__meta_port"] == "2" and "__meta_port" not in dict(targets[1].labels)


def test_discovered_labels_as_prometheus_populates_them() -> None:
    cfg = ScrapeConfig.model_validate({"job_name": "j", "params": {"module": ["http_2xx"], "debug": [""]}})
    group = TargetGroup(("h:1",), (("__scheme__", "https"), ("__param_module", "tcp"), ("__param_debug", "1"),
                                   ("empty", ""), ("team", "a")), "g")
    (target,), _ = build(cfg, [group])
    discovered = dict(target.discovered)
    assert discovered == {"__address__": "h:1", "__scheme__": "https", "__param_module": "http_2xx",
                          "__metrics_path__": "/metrics", "__scrape_interval__": "1m", "__scrape_timeout__": "10s",
                          "job": "j", "team": "a"}  # group scheme wins, config params win, "" is absent
    assert target.url == "https://h:1/metrics?debug=&module=http_2xx"
