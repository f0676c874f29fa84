"""The discovery dispatcher: one provider per distinct discovery config, shared across jobs."""

from __future__ import annotations

from meshscope.scrape.config import ScrapeConfig
from meshscope.scrape.discovery import Provider, providers
from meshscope.scrape.sd_dns import DnsDiscovery
from meshscope.scrape.sd_http import HttpDiscovery
from meshscope.scrape.sd_kubernetes import KubernetesDiscovery


def test_identical_discovery_configs_share_one_provider() -> None:
    nodes = {"role": "node", "api_server": "https://k8s:6443"}
    kubelet = ScrapeConfig.model_validate({"job_name": "kubelet", "kubernetes_sd_configs": [nodes]})
    cadvisor = ScrapeConfig.model_validate({"job_name": "cadvisor", "metrics_path": "/metrics/cadvisor",
                                            "kubernetes_sd_configs": [nodes]})
    other = ScrapeConfig.model_validate({"job_name": "x", "kubernetes_sd_configs": [{**nodes, "role": "pod"}],
                                         "http_sd_configs": [{"url": "http://sd/"}, {"url": "http://sd/"}],
                                         "dns_sd_configs": [{"names": ["_m._tcp.x"]}]})
    shared: dict[str, Provider] = {}
    (a,), (b,) = providers(kubelet, shared), providers(cadvisor, shared)
    http, dns, pod = providers(other, shared)
    assert a is b and isinstance(a, KubernetesDiscovery)
    assert isinstance(pod, KubernetesDiscovery) and pod is not a and pod.cfg.role == "pod"
    assert isinstance(http, HttpDiscovery) and isinstance(dns, DnsDiscovery)
    assert len(shared) == 4
    assert providers(kubelet)[0] is not a  # without a shared registry every call builds its own
