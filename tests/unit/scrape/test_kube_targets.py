"""Kubernetes objects to target groups: every role's sources, addresses and ``__meta_kubernetes_*`` labels."""

from __future__ import annotations

from typing import Any

from meshscope.scrape.config import ScrapeConfig
from meshscope.scrape.kube_targets import (
    endpoints_group,
    endpointslice_group,
    ingress_group,
    key,
    node_group,
    pod_group,
    sanitize,
    service_group,
)
from meshscope.scrape.targets import TargetGroup, build
from support import kube_objects as k

M = "__meta_kubernetes_"


def targets(group: TargetGroup) -> list[dict[str, str]]:
    """Each target's full discovered labels (group labels overridden by the target's own)."""
    return [{**dict(group.labels), **dict(own), "__address__": addr}
            for addr, own in zip(group.targets, group.target_labels, strict=True)]


def store(*objs: tuple[str, dict[str, Any]]):  # type: ignore[no-untyped-def]
    table = {(kind, key(obj)): obj for kind, obj in objs}
    return lambda kind, k_: table.get((kind, k_))


def test_pod_one_target_per_port_and_a_portless_target_per_container() -> None:
    sidecar = {"name": "envoy", "image": "envoy:1.29"}
    init = {"name": "migrate", "image": "shop/migrate:1", "ports": [{"containerPort": 7000, "protocol": "UDP"}]}
    pod = k.pod("web-1", "10.1.0.5", [("metrics", 9100), ("http", 8080)], labels={"app.kubernetes.io/name": "web"},
                annotations={"prometheus.io/scrape": "true"}, extra_containers=[sidecar], init_containers=[init])
    group = pod_group(pod, store())
    assert group.source == "pod/shop/web-1"
    got = targets(group)
    assert [t["__address__"] for t in got] == ["10.1.0.5:9100", "10.1.0.5:8080", "10.1.0.5", "10.1.0.5:7000"]
    assert got[0] == {
        "__address__": "10.1.0.5:9100", M + "namespace": "shop", M + "pod_name": "web-1", M + "pod_ip": "10.1.0.5",
        M + "pod_ready": "true", M + "pod_phase": "Running", M + "pod_node_name": "node-1",
        M + "pod_host_ip": "10.0.0.1", M + "pod_uid": "uid-web-1", M + "pod_controller_kind": "ReplicaSet",
        M + "pod_controller_name": "web-7d9f", M + "pod_label_app_kubernetes_io_name": "web",
        M + "pod_labelpresent_app_kubernetes_io_name": "true", M + "pod_annotation_prometheus_io_scrape": "true",
        M + "pod_annotationpresent_prometheus_io_scrape": "true", M + "pod_container_name": "app",
        M + "pod_container_image": "shop/app:1.2", M + "pod_container_init": "false",
        M + "pod_container_port_name": "metrics", M + "pod_container_port_number": "9100",
        M + "pod_container_port_protocol": "TCP"}
    assert M + "pod_container_port_number" not in got[2] and got[2][M + "pod_container_name"] == "envoy"
    assert got[3][M + "pod_container_init"] == "true" and got[3][M + "pod_container_port_protocol"] == "UDP"


def test_pod_without_ip_has_an_empty_group_and_unknown_readiness() -> None:
    assert pod_group(k.pod("starting", "", [("m", 1)]), store()) == TargetGroup((), (), "pod/shop/starting")
    pod = k.pod("p", "fd00::5", [("m", 9100)], owner=None)
    pod["status"]["conditions"] = []
    (t,) = targets(pod_group(pod, store()))
    assert t["__address__"] == "[fd00::5]:9100" and t[M + "pod_ready"] == "unknown"
    assert M + "pod_controller_kind" not in t


def test_service_targets_per_port() -> None:
    group = service_group(k.service("web", [("http", 80), ("metrics", 9100)], labels={"app": "web"}))
    assert group.source == "svc/shop/web"
    got = targets(group)
    assert [t["__address__"] for t in got] == ["web.shop.svc:80", "web.shop.svc:9100"]
    assert got[1] == {"__address__": "web.shop.svc:9100", M + "namespace": "shop", M + "service_name": "web",
                      M + "service_label_app": "web", M + "service_labelpresent_app": "true",
                      M + "service_port_name": "metrics", M + "service_port_number": "9100",
                      M + "service_port_protocol": "TCP", M + "service_type": "ClusterIP",
                      M + "service_cluster_ip": "10.96.0.10"}
    (ext,) = targets(service_group(k.service("db", [("pg", 5432)], type_="ExternalName")))
    assert ext[M + "service_external_name"] == "db.example.com" and M + "service_cluster_ip" not in ext


def test_node_address_order_kubelet_port_and_instance() -> None:
    group = node_group(k.node("node-1", "172.18.0.2", labels={"topology.kubernetes.io/zone": "z1"}))
    (t,) = targets(group)
    assert group.source == "node/node-1"
    assert t == {"__address__": "172.18.0.2:10250", "instance": "node-1", M + "node_name": "node-1",
                 M + "node_provider_id": "kind://docker/kind/node-1",
                 M + "node_label_topology_kubernetes_io_zone": "z1",
                 M + "node_labelpresent_topology_kubernetes_io_zone": "true",
                 M + "node_annotation_node_alpha_kubernetes_io_ttl": "0",
                 M + "node_annotationpresent_node_alpha_kubernetes_io_ttl": "true",
                 M + "node_address_Hostname": "node-1", M + "node_address_InternalIP": "172.18.0.2"}


def test_endpoints_join_service_and_pods_and_add_uncovered_container_ports() -> None:
    svc = k.service("web", [("http", 8080)], labels={"tier": "front"})
    pod = k.pod("web-1", "10.1.0.5", [("http", 8080), ("metrics", 9100)], labels={"app": "web"})
    eps = k.endpoints("web", [("web-1", "10.1.0.5")], [("http", 8080)], not_ready=[("web-2", "10.1.0.6")],
                      labels={"app": "web"})
    group = endpoints_group(eps, store(("service", svc), ("pod", pod)))
    assert group.source == "endpoints/shop/web"
    got = {t["__address__"]: t for t in targets(group)}
    assert list(got) == ["10.1.0.5:8080", "10.1.0.6:8080", "10.1.0.5:9100"]
    ready = got["10.1.0.5:8080"]
    assert ready[M + "endpoints_name"] == "web" and ready[M + "service_label_tier"] == "front"
    assert ready[M + "endpoints_label_app"] == "web" and ready[M + "endpoint_ready"] == "true"
    assert ready[M + "endpoint_address_target_kind"] == "Pod" and ready[M + "endpoint_address_target_name"] == "web-1"
    assert ready[M + "endpoint_node_name"] == "node-1" and ready[M + "pod_label_app"] == "web"
    assert ready[M + "pod_container_port_name"] == "http" and ready[M + "endpoint_port_name"] == "http"
    assert ready[M + "pod_container_image"] == "shop/app:1.2"
    unknown_pod = got["10.1.0.6:8080"]
    assert unknown_pod[M + "endpoint_ready"] == "false" and M + "pod_name" not in unknown_pod
    extra = got["10.1.0.5:9100"]
    assert extra[M + "pod_container_port_name"] == "metrics" and M + "endpoint_port_name" not in extra
    assert extra[M + "service_name"] == "web"


def test_endpointslice_labels_and_service_join() -> None:
    svc = k.service("web", [("http", 8080)])
    pod = k.pod("web-1", "10.1.0.5", [("http", 8080)])
    eps = k.endpointslice("web-abc12", "web", [("web-1", "10.1.0.5")], [("http", 8080)])
    eps["endpoints"][0]["deprecatedTopology"] = {"kubernetes.io/hostname": "node-1"}
    group = endpointslice_group(eps, store(("service", svc), ("pod", pod)))
    assert group.source == "endpointslice/shop/web-abc12"
    (t,) = targets(group)
    expect = {M + "endpointslice_name": "web-abc12", M + "endpointslice_address_type": "IPv4",
              M + "endpointslice_port": "8080", M + "endpointslice_port_name": "http",
              M + "endpointslice_port_protocol": "TCP", M + "endpointslice_endpoint_conditions_ready": "true",
              M + "endpointslice_endpoint_conditions_serving": "true",
              M + "endpointslice_endpoint_conditions_terminating": "false",
              M + "endpointslice_address_target_kind": "Pod", M + "endpointslice_address_target_name": "web-1",
              M + "endpointslice_endpoint_topology_kubernetes_io_hostname": "node-1",
              M + "endpointslice_endpoint_topology_present_kubernetes_io_hostname": "true",
              M + "endpointslice_label_kubernetes_io_service_name": "web", M + "service_name": "web",
              M + "pod_name": "web-1", M + "pod_container_port_number": "8080", "__address__": "10.1.0.5:8080"}
    assert {n: t.get(n) for n in expect} == expect


def test_ingress_paths_and_tls_scheme() -> None:
    group = ingress_group(k.ingress("shop"))
    assert group.source == "ingress/shop/shop"
    got = [(t["__address__"], t[M + "ingress_scheme"], t[M + "ingress_path"]) for t in targets(group)]
    assert got == [("www.shop.example", "https", "/"), ("www.shop.example", "https", "/api"),
                   ("plain.example", "http", "/")]
    first = targets(group)[0]
    assert first[M + "ingress_class_name"] == "nginx" and first[M + "ingress_host"] == "www.shop.example"
    assert first[M + "ingress_label_app"] == "web" and first[M + "ingress_name"] == "shop"


def test_sanitize() -> None:
    assert sanitize("app.kubernetes.io/name") == "app_kubernetes_io_name"
    assert sanitize("ok_Name9") == "ok_Name9"


def test_attach_metadata_node_labels() -> None:
    node = k.node("node-1", "172.18.0.2", labels={"node.kubernetes.io/instance-type": "m5.large"})
    find = store(("node", node))
    pod = k.pod("web-1", "10.1.0.5", [("http", 8080)])
    (t,) = targets(pod_group(pod, find))
    assert t[M + "node_name"] == "node-1"
    assert t[M + "node_label_node_kubernetes_io_instance_type"] == "m5.large"
    assert t[M + "node_labelpresent_node_kubernetes_io_instance_type"] == "true"
    assert not any("node_annotation" in name for name in t)  # Prometheus attaches labels only
    (ep,) = targets(endpoints_group(k.endpoints("web", [("web-1", "10.1.0.5")], [("http", 8080)]), find))
    assert ep[M + "node_name"] == "node-1"
    (es,) = targets(endpointslice_group(k.endpointslice("w", "web", [("web-1", "10.1.0.5")], [("http", 8080)]), find))
    assert es[M + "node_name"] == "node-1"
    (unknown,) = targets(pod_group(k.pod("p", "10.1.0.6", [("m", 1)], node="gone"), find))
    assert M + "node_name" not in unknown


def test_common_recipes_build_the_expected_scrape_urls() -> None:
    api_svc = k.service("kubernetes", [("https", 443)], namespace="default")
    api_eps = k.endpoints("kubernetes", [], [("https", 6443)], namespace="default")
    api_eps["subsets"][0]["addresses"] = [{"ip": "172.18.0.2"}]
    apiservers = ScrapeConfig.model_validate({
        "job_name": "kubernetes-apiservers", "scheme": "https",
        "relabel_configs": [{"source_labels": [M + "namespace", M + "service_name", M + "endpoint_port_name"],
                             "action": "keep", "regex": "default;kubernetes;https"}]})
    other = endpoints_group(k.endpoints("web", [("web-1", "10.1.0.5")], [("http", 8080)]), store())
    (target,), dropped = build(apiservers, [endpoints_group(api_eps, store(("service", api_svc))), other])
    assert target.url == "https://172.18.0.2:6443/metrics" and len(dropped) == 1

    probes = ScrapeConfig.model_validate({
        "job_name": "kubernetes-ingresses", "metrics_path": "/probe", "params": {"module": ["http_2xx"]},
        "relabel_configs": [
            {"source_labels": [M + "ingress_scheme", "__address__", M + "ingress_path"], "regex": "(.+);(.+);(.+)",
             "replacement": "${1}://${2}${3}", "target_label": "__param_target"},
            {"target_label": "__address__", "replacement": "blackbox:9115"},
            {"source_labels": ["__param_target"], "target_label": "instance"}]})
    targets, _ = build(probes, [ingress_group(k.ingress("shop"))])
    assert [t.url for t in targets] == [
        "http://blackbox:9115/probe?module=http_2xx&target=https%3A%2F%2Fwww.shop.example%2F",
        "http://blackbox:9115/probe?module=http_2xx&target=https%3A%2F%2Fwww.shop.example%2Fapi",
        "http://blackbox:9115/probe?module=http_2xx&target=http%3A%2F%2Fplain.example%2F"]
    assert dict(targets[1].labels)["instance"] == "https://www.shop.example/api"
