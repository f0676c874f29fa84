"""dns_sd_configs: the stub resolver against a real UDP/TCP DNS server, labels as Prometheus sets them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from meshscope.scrape import dns_wire
from meshscope.scrape.config import DnsSdConfig, ScrapeConfig
from meshscope.scrape.sd_dns import DnsDiscovery, ResolvConf, StubResolver, read_resolv_conf
from meshscope.scrape.targets import build
from support.aio import run_async
from support.dns_responder import Zone, dns_server


def _discover(zone: Zone, port: int, cfg: DnsSdConfig, search: tuple[str, ...] = ()) -> DnsDiscovery:
    resolver = StubResolver(ResolvConf((("127.0.0.1", port),), search, timeout=2, attempts=1))
    return DnsDiscovery(cfg, resolver)


def test_srv_targets_with_meta_labels_and_relabeling() -> None:
    zone = Zone({("_metrics._tcp.shop.test.", "SRV"): [(9100, "web-1.shop.test."), (9200, "web-2.shop.test.")]})
    with dns_server(zone) as port:
        sd = _discover(zone, port, DnsSdConfig(names=["_metrics._tcp.shop.test"]))
        run_async(sd.refresh())
    cfg = ScrapeConfig.model_validate({"job_name": "dns", "relabel_configs": [
        {"source_labels": ["__meta_dns_srv_record_target"], "regex": "(.*)\\.shop\\.test\\.", "target_label": "host"}]})
    targets, _ = build(cfg, sd.groups())
    got = sorted((t.url, dict(t.labels)["host"], dict(t.discovered)["__meta_dns_srv_record_port"]) for t in targets)
    assert got == [("http://web-1.shop.test:9100/metrics", "web-1", "9100"),
                   ("http://web-2.shop.test:9200/metrics", "web-2", "9200")]
    discovered = dict(targets[0].discovered)
    assert discovered["__meta_dns_name"] == "_metrics._tcp.shop.test"
    assert "__meta_dns_mx_record_target" not in discovered  # empty: absent, as in Prometheus


def test_truncated_udp_answer_is_retried_over_tcp() -> None:
    many = [(9000 + n, f"host-{n}.big.test.") for n in range(40)]
    zone = Zone({("_m._tcp.big.test.", "SRV"): many}, truncate={"_m._tcp.big.test."})
    with dns_server(zone) as port:
        sd = _discover(zone, port, DnsSdConfig(names=["_m._tcp.big.test"]))
        run_async(sd.refresh())
    assert len(sd.groups()[0].targets) == 40
    assert [q[0] for q in zone.queries] == ["udp", "tcp"]


def test_search_domains_and_nxdomain() -> None:
    zone = Zone({("_m._tcp.svc.cluster.test.", "SRV"): [(80, "a.cluster.test.")]})
    with dns_server(zone) as port:
        sd = _discover(zone, port, DnsSdConfig(names=["_m._tcp", "missing.test."]), search=("svc.cluster.test",))
        run_async(sd.refresh())
    groups = {g.source: g.targets for g in sd.groups()}
    assert groups == {"_m._tcp": ("a.cluster.test:80",), "missing.test.": ()}


def test_failing_server_keeps_previous_targets() -> None:
    zone = Zone({("_m._tcp.x.test.", "SRV"): [(80, "a.x.test.")]})
    with dns_server(zone) as port:
        sd = _discover(zone, port, DnsSdConfig(names=["_m._tcp.x.test"]))
        run_async(sd.refresh())
        zone.servfail.add("_m._tcp.x.test.")
        run_async(sd.refresh())
        assert sd.groups()[0].targets == ("a.x.test:80",)
        zone.servfail.clear()
        zone.records[("_m._tcp.x.test.", "SRV")] = [(81, "b.x.test.")]
        run_async(sd.refresh())
    assert sd.groups()[0].targets == ("b.x.test:81",)


def test_invalid_name_is_skipped_and_others_resolve() -> None:
    zone = Zone({("_m._tcp.x.test.", "SRV"): [(80, "a.x.test.")]})
    with dns_server(zone) as port:
        sd = _discover(zone, port, DnsSdConfig(names=["bad..name", "_m._tcp.x.test"]))
        run_async(sd.refresh())
    assert {g.source: g.targets for g in sd.groups()} == {"_m._tcp.x.test": ("a.x.test:80",)}


def test_mx_records() -> None:
    zone = Zone({("mail.test.", "MX"): ["mx1.mail.test."]})
    with dns_server(zone) as port:
        sd = _discover(zone, port, DnsSdConfig(names=["mail.test"], type="MX", port=25))
        run_async(sd.refresh())
    group = sd.groups()[0]
    assert group.targets == ("mx1.mail.test:25",)
    assert dict(group.target_labels[0])["__meta_dns_mx_record_target"] == "mx1.mail.test."


def test_a_records_use_the_system_resolver() -> None:
    sd = DnsDiscovery(DnsSdConfig(names=["localhost"], type="A", port=9100))
    run_async(sd.refresh())
    group = sd.groups()[0]
    assert group.targets == ("127.0.0.1:9100",)
    assert dict(group.target_labels[0]) == {"__meta_dns_name": "localhost", "__meta_dns_srv_record_target": "",
                                            "__meta_dns_srv_record_port": "", "__meta_dns_mx_record_target": ""}


def test_resolv_conf(tmp_path: Path) -> None:
    path = tmp_path / "resolv.conf"
    path.write_text("# comment\nnameserver 10.0.0.2\nnameserver ::1\nsearch a.test b.test\noptions ndots:5 timeout:1\n")
    conf = read_resolv_conf(str(path))
    assert conf == ResolvConf((("10.0.0.2", 53), ("::1", 53)), ("a.test", "b.test"), 5, 1.0, 2)
    assert StubResolver(conf).candidates("web") == ["web.a.test.", "web.b.test.", "web."]
    assert StubResolver(conf).candidates("web.") == ["web."]


@pytest.mark.parametrize("raw, message", [
    ({"names": []}, "at least one SRV record name"),
    ({"names": ["x"], "type": "A"}, "a port is required"),
    ({"names": ["x"], "type": "TXT"}, "Input should be"),
    ({"names": ["x"], "refresh_interval": "soon"}, "duration"),
])
def test_config_errors(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        DnsSdConfig.model_validate(raw)


def test_wire_rejects_pointer_loops() -> None:
    header = bytes([0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0])
    with pytest.raises(dns_wire.DnsFormatError, match="loop"):
        dns_wire.parse(header + b"\xc0\x0c\x00\x21\x00\x01", "SRV")
