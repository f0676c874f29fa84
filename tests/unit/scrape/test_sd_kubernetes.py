"""kubernetes_sd_configs against the fake API server: list + watch, 410 re-list, reconnects,
namespaces, selectors, joins, and the three ways to connect (api_server, kubeconfig, in-cluster)."""

from __future__ import annotations

import asyncio
import base64
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from meshscope.scrape.config import KubernetesSdConfig
from meshscope.scrape.sd_kubernetes import KubernetesDiscovery
from support import kube_objects as k
from support.aio import run_async
from support.fake_kubernetes import FakeKubernetes, fake_kubernetes

M = "__meta_kubernetes_"


async def until(check: Callable[[], Any], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            assert check()
            return
        except (AssertionError, KeyError, ValueError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.02)


def run_with(sd: KubernetesDiscovery, body: Callable[[], Any]) -> None:
    """Run the discovery while ``body`` (a coroutine function) drives the fake API."""
    async def main() -> None:
        task = asyncio.create_task(sd.run())
        try:
            await body()
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    run_async(main())


def addresses(sd: KubernetesDiscovery) -> dict[str, list[str]]:
    return {g.source: list(g.targets) for g in sd.groups()}


@pytest.fixture
def api() -> Iterator[tuple[FakeKubernetes, str]]:
    fake = FakeKubernetes()
    with fake_kubernetes(fake) as url:
        yield fake, url


def test_pods_follow_watch_events_and_relist_after_410(api: tuple[FakeKubernetes, str]) -> None:
    fake, url = api
    fake.put("pods", k.pod("web-1", "10.1.0.1", [("m", 9100)]))
    sd = KubernetesDiscovery(KubernetesSdConfig(role="pod", api_server=url))

    async def body() -> None:
        await until(lambda: addresses(sd) == {"pod/shop/web-1": ["10.1.0.1:9100"]})
        await asyncio.to_thread(fake.wait_for_watchers, 1)
        fake.put("pods", k.pod("web-2", "10.1.0.2", [("m", 9100)]))
        await until(lambda: addresses(sd)["pod/shop/web-2"] == ["10.1.0.2:9100"])
        fake.put("pods", k.pod("web-2", "10.1.0.2", [("m", 9200)]))  # MODIFIED
        await until(lambda: addresses(sd)["pod/shop/web-2"] == ["10.1.0.2:9200"])
        fake.delete("pods", "shop", "web-1")
        await until(lambda: list(addresses(sd)) == ["pod/shop/web-2"])
        (reflector,) = sd.reflectors["pod"]
        assert reflector.lists == 1
        managed = k.pod("web-4", "10.1.0.4", [("m", 9100)])
        managed["metadata"]["managedFields"] = [{"manager": "kubelet", "operation": "Update", "fieldsV1": {}}]
        fake.put("pods", managed)
        await until(lambda: "shop/web-4" in reflector.objects)
        assert "managedFields" not in reflector.objects["shop/web-4"]["metadata"]  # not kept in memory
        fake.delete("pods", "shop", "web-4")
        # the API server goes away; meanwhile a pod is deleted, one added and history compacted:
        # on reconnect (with backoff) the watch gets 410 Expired and the resource is listed again
        fake.available = False
        fake.drop_watches()
        await until(lambda: "503" in reflector.last_error)
        fake.delete("pods", "shop", "web-2")
        fake.put("pods", k.pod("web-3", "10.1.0.3", [("m", 9100)]))
        fake.compact()
        fake.available = True
        await until(lambda: addresses(sd) == {"pod/shop/web-3": ["10.1.0.3:9100"]})
        assert reflector.lists == 2
        lists = [r["query"].get("resourceVersion") for r in fake.requests if "watch" not in r["query"]]
        assert lists == ["0", ""]  # first from the watch cache, after 410 a current list
        watches = [r["query"] for r in fake.requests if r["query"].get("watch") == "1"]
        assert watches[0]["resourceVersion"] == "1001" and watches[0]["allowWatchBookmarks"] == "true"
    run_with(sd, body)


def test_watch_reconnects_after_server_errors(api: tuple[FakeKubernetes, str]) -> None:
    fake, url = api
    fake.token = "good"
    sd = KubernetesDiscovery(KubernetesSdConfig.model_validate(
        {"role": "service", "api_server": url, "authorization": {"credentials": "bad"}}))
    fake.put("services", k.service("web", [("http", 80)]))

    async def body() -> None:
        await until(lambda: sd.reflectors and "401" in sd.reflectors["service"][0].last_error)
        assert sd.groups() == []
    run_with(sd, body)
    ok = KubernetesDiscovery(KubernetesSdConfig.model_validate(
        {"role": "service", "api_server": url, "authorization": {"credentials": "good"}}))

    async def body_ok() -> None:
        await until(lambda: addresses(ok) == {"svc/shop/web": ["web.shop.svc:80"]})
        assert fake.requests[-1]["authorization"] == "Bearer good"
    run_with(ok, body_ok)


def test_namespaces_and_selectors(api: tuple[FakeKubernetes, str]) -> None:
    fake, url = api
    fake.put("pods", k.pod("a", "10.1.0.1", [("m", 1)], namespace="shop", labels={"app": "web"}))
    fake.put("pods", k.pod("b", "10.1.0.2", [("m", 1)], namespace="shop", labels={"app": "db"}))
    fake.put("pods", k.pod("c", "10.1.0.3", [("m", 1)], namespace="other", labels={"app": "web"}))
    fake.put("pods", k.pod("d", "10.1.0.4", [("m", 1)], namespace="billing", labels={"app": "web"}, node="node-2"))
    sd = KubernetesDiscovery(KubernetesSdConfig.model_validate({
        "role": "pod", "api_server": url, "namespaces": {"names": ["shop", "billing"]},
        "selectors": [{"role": "pod", "label": "app in (web)", "field": "spec.nodeName=node-1"}]}))

    async def body() -> None:
        await until(lambda: addresses(sd) == {"pod/shop/a": ["10.1.0.1:1"]})
        lists = sorted(r["path"] for r in fake.requests if "watch" not in r["query"])
        assert lists == ["/api/v1/namespaces/billing/pods", "/api/v1/namespaces/shop/pods"]
        assert all(r["query"]["labelSelector"] == "app in (web)" for r in fake.requests)
    run_with(sd, body)


def test_endpoints_follow_service_and_pod_changes(api: tuple[FakeKubernetes, str]) -> None:
    fake, url = api
    fake.put("endpoints", k.endpoints("web", [("web-1", "10.1.0.1")], [("http", 8080)]))
    sd = KubernetesDiscovery(KubernetesSdConfig(role="endpoints", api_server=url))

    def labels() -> dict[str, str]:
        (group,) = sd.groups()
        return {**dict(group.labels), **dict(group.target_labels[0])}

    async def body() -> None:
        await until(lambda: addresses(sd) == {"endpoints/shop/web": ["10.1.0.1:8080"]})
        assert M + "service_name" not in labels() and M + "pod_name" not in labels()
        fake.put("services", k.service("web", [("http", 8080)], labels={"tier": "front"}))
        await until(lambda: labels().get(M + "service_label_tier") == "front")
        fake.put("pods", k.pod("web-1", "10.1.0.1", [("http", 8080), ("admin", 9000)], labels={"v": "1"}))
        await until(lambda: labels().get(M + "pod_label_v") == "1")
        assert addresses(sd)["endpoints/shop/web"] == ["10.1.0.1:8080", "10.1.0.1:9000"]
        fake.put("pods", k.pod("web-1", "10.1.0.1", [("http", 8080), ("admin", 9000)], labels={"v": "2"}))
        await until(lambda: labels().get(M + "pod_label_v") == "2")
        fake.delete("endpoints", "shop", "web")
        await until(lambda: sd.groups() == [])
    run_with(sd, body)


def test_endpointslices_nodes_and_ingresses_use_their_api_groups(api: tuple[FakeKubernetes, str]) -> None:
    fake, url = api
    fake.put("endpointslices", k.endpointslice("web-x1", "web", [("web-1", "10.1.0.1")], [("http", 8080)]))
    fake.put("services", k.service("web", [("http", 8080)]))
    fake.put("nodes", k.node("node-1", "172.18.0.2"))
    fake.put("ingresses", k.ingress("shop"))
    found = {role: KubernetesDiscovery(KubernetesSdConfig(role=role, api_server=url))
             for role in ("endpointslice", "node", "ingress")}

    async def main() -> None:
        tasks = [asyncio.create_task(sd.run()) for sd in found.values()]
        await until(lambda: all(sd.groups() for sd in found.values()))
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    run_async(main())
    assert addresses(found["endpointslice"]) == {"endpointslice/shop/web-x1": ["10.1.0.1:8080"]}
    assert dict(found["endpointslice"].groups()[0].labels)[M + "service_name"] == "web"
    assert addresses(found["node"]) == {"node/node-1": ["172.18.0.2:10250"]}
    assert addresses(found["ingress"])["ingress/shop/shop"][0] == "www.shop.example"
    paths = {r["path"] for r in fake.requests}
    assert {"/apis/discovery.k8s.io/v1/endpointslices", "/api/v1/nodes",
            "/apis/networking.k8s.io/v1/ingresses"} <= paths


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    base = tmp_path_factory.mktemp("tls")
    cert, key = base / "cert.pem", base / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=kubernetes", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return str(cert), str(key)


def test_in_cluster_service_account(tmp_path: Path, tls_files: tuple[str, str]) -> None:
    fake = FakeKubernetes(token="sa-token-1")
    fake.put("pods", k.pod("own", "10.1.0.9", [("m", 9100)], namespace="monitoring"))
    fake.put("pods", k.pod("other", "10.1.0.8", [("m", 9100)], namespace="shop"))
    (tmp_path / "token").write_text("sa-token-1\n")
    (tmp_path / "ca.crt").write_text(Path(tls_files[0]).read_text())
    (tmp_path / "namespace").write_text("monitoring")
    with fake_kubernetes(fake, tls=tls_files) as url:
        env = {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": url.rsplit(":", 1)[1]}
        sd = KubernetesDiscovery(KubernetesSdConfig.model_validate(
            {"role": "pod", "namespaces": {"own_namespace": True}}), env=env, sa_dir=tmp_path)

        async def body() -> None:
            await until(lambda: addresses(sd) == {"pod/monitoring/own": ["10.1.0.9:9100"]})
            fake.token = "sa-token-2"  # rotated: the file is read again for each request
            (tmp_path / "token").write_text("sa-token-2")
            fake.drop_watches()
            fake.put("pods", k.pod("own2", "10.1.0.7", [("m", 9100)], namespace="monitoring"))
            await until(lambda: "pod/monitoring/own2" in addresses(sd))
        run_with(sd, body)
    assert fake.requests[0]["path"] == "/api/v1/namespaces/monitoring/pods"
    assert fake.requests[-1]["authorization"] == "Bearer sa-token-2"


def test_in_cluster_without_environment_reports_the_cause(tmp_path: Path) -> None:
    sd = KubernetesDiscovery(KubernetesSdConfig(role="pod"), env={}, sa_dir=tmp_path)

    async def body() -> None:
        await until(lambda: "KUBERNETES_SERVICE_HOST" in sd.last_error)
    run_with(sd, body)


def test_kubeconfig_file(tmp_path: Path, tls_files: tuple[str, str]) -> None:
    fake = FakeKubernetes(token="kc-token")
    fake.put("services", k.service("web", [("http", 80)], namespace="dev"))
    fake.put("services", k.service("web", [("http", 80)], namespace="prod"))
    ca = base64.b64encode(Path(tls_files[0]).read_bytes()).decode()
    with fake_kubernetes(fake, tls=tls_files) as url:
        config = tmp_path / "kubeconfig"
        config.write_text(f"""\
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: kind
  cluster: {{server: "{url}", certificate-authority-data: {ca}}}
users:
- name: admin
  user: {{token: kc-token}}
contexts:
- name: dev
  context: {{cluster: kind, user: admin, namespace: dev}}
""")
        sd = KubernetesDiscovery(KubernetesSdConfig.model_validate(
            {"role": "service", "kubeconfig_file": str(config), "namespaces": {"own_namespace": True}}))

        async def body() -> None:
            await until(lambda: addresses(sd) == {"svc/dev/web": ["web.dev.svc:80"]})
        run_with(sd, body)


def test_endpointslices_follow_their_service_and_pods(api: tuple[FakeKubernetes, str]) -> None:
    fake, url = api
    fake.put("endpointslices", k.endpointslice("web-a", "web", [("web-1", "10.1.0.1")], [("http", 8080)]))
    fake.put("endpointslices", k.endpointslice("web-b", "web", [("web-2", "10.1.0.2")], [("http", 8080)]))
    fake.put("endpointslices", k.endpointslice("db-a", "db", [("db-0", "10.1.0.9")], [("pg", 5432)]))
    sd = KubernetesDiscovery(KubernetesSdConfig(role="endpointslice", api_server=url))

    def label(source: str, name: str) -> str | None:
        group = next(g for g in sd.groups() if g.source == source)
        return {**dict(group.labels), **dict(group.target_labels[0])}.get(name)

    async def body() -> None:
        await until(lambda: len(sd.groups()) == 3)
        fake.put("services", k.service("web", [("http", 8080)], labels={"tier": "front"}))
        await until(lambda: label("endpointslice/shop/web-a", M + "service_label_tier") == "front")
        assert label("endpointslice/shop/web-b", M + "service_label_tier") == "front"
        assert label("endpointslice/shop/db-a", M + "service_name") is None
        fake.put("pods", k.pod("web-2", "10.1.0.2", [("http", 8080)], labels={"v": "2"}))
        await until(lambda: label("endpointslice/shop/web-b", M + "pod_label_v") == "2")
        assert label("endpointslice/shop/web-a", M + "pod_name") is None
        # the slice now points at another pod: the old pod's changes no longer touch it
        fake.put("endpointslices", k.endpointslice("web-b", "web", [("web-3", "10.1.0.3")], [("http", 8080)]))
        await until(lambda: label("endpointslice/shop/web-b", M + "pod_name") is None)
        assert sd._by_pod.get("shop/web-2") is None and sd._by_pod["shop/web-3"] == {"shop/web-b"}
    run_with(sd, body)


def test_api_server_with_tls_config_and_basic_auth_header(tls_files: tuple[str, str]) -> None:
    fake = FakeKubernetes()
    fake.put("nodes", k.node("node-1", "172.18.0.2"))
    with fake_kubernetes(fake, tls=tls_files) as url:
        sd = KubernetesDiscovery(KubernetesSdConfig.model_validate({
            "role": "node", "api_server": url, "tls_config": {"ca_file": tls_files[0]},
            "basic_auth": {"username": "admin", "password": "pw"}}))
        untrusted = KubernetesDiscovery(KubernetesSdConfig(role="node", api_server=url))

        async def body() -> None:
            other = asyncio.create_task(untrusted.run())
            await until(lambda: addresses(sd) == {"node/node-1": ["172.18.0.2:10250"]})
            await until(lambda: untrusted.reflectors and "CERTIFICATE_VERIFY_FAILED"
                        in untrusted.reflectors["node"][0].last_error)
            other.cancel()
            await asyncio.gather(other, return_exceptions=True)
        run_with(sd, body)
    assert untrusted.groups() == []
    assert fake.requests[0]["authorization"] == "Basic " + base64.b64encode(b"admin:pw").decode()


def test_attach_metadata_follows_node_changes(api: tuple[FakeKubernetes, str]) -> None:
    fake, url = api
    fake.put("pods", k.pod("web-1", "10.1.0.1", [("m", 9100)], node="node-1"))
    fake.put("pods", k.pod("web-2", "10.1.0.2", [("m", 9100)], node="node-2"))
    fake.put("nodes", k.node("node-1", "172.18.0.2", labels={"zone": "a"}))
    sd = KubernetesDiscovery(KubernetesSdConfig.model_validate(
        {"role": "pod", "api_server": url, "attach_metadata": {"node": True}}))

    def zone(source: str) -> str | None:
        (group,) = [g for g in sd.groups() if g.source == source]
        return dict(group.labels).get(M + "node_label_zone")

    async def body() -> None:
        await until(lambda: len(sd.groups()) == 2 and zone("pod/shop/web-1") == "a")
        assert zone("pod/shop/web-2") is None
        fake.put("nodes", k.node("node-2", "172.18.0.3", labels={"zone": "b"}))
        await until(lambda: zone("pod/shop/web-2") == "b")
        fake.put("nodes", k.node("node-1", "172.18.0.2", labels={"zone": "c"}))
        await until(lambda: zone("pod/shop/web-1") == "c")
        assert "/api/v1/nodes" in {r["path"] for r in fake.requests}
    run_with(sd, body)


def test_restart_keeps_live_groups_and_forgets_deleted_ones(api: tuple[FakeKubernetes, str]) -> None:
    fake, url = api
    fake.put("pods", k.pod("a", "10.1.0.1", [("m", 1)]))
    fake.put("pods", k.pod("b", "10.1.0.2", [("m", 1)]))
    sd = KubernetesDiscovery(KubernetesSdConfig(role="pod", api_server=url))

    async def first() -> None:
        await until(lambda: set(addresses(sd)) == {"pod/shop/a", "pod/shop/b"})
    run_with(sd, first)
    fake.delete("pods", "shop", "b")  # while discovery is not running
    fake.available = False

    async def restarted() -> None:
        await until(lambda: "503" in sd.reflectors["pod"][0].last_error)
        assert set(addresses(sd)) == {"pod/shop/a", "pod/shop/b"}  # unreachable API: nothing dropped
        fake.available = True
        await until(lambda: set(addresses(sd)) == {"pod/shop/a"})
    run_with(sd, restarted)


def test_malformed_object_is_skipped(api: tuple[FakeKubernetes, str]) -> None:
    fake, url = api
    bad = k.pod("bad", "10.1.0.9", [("m", 1)])
    bad["spec"]["containers"] = "not-a-list"
    fake.put("pods", bad)
    fake.put("pods", k.pod("good", "10.1.0.1", [("m", 1)]))
    sd = KubernetesDiscovery(KubernetesSdConfig(role="pod", api_server=url))

    async def body() -> None:
        await until(lambda: addresses(sd) == {"pod/shop/good": ["10.1.0.1:1"]})
        fake.put("pods", k.pod("bad", "10.1.0.9", [("m", 1)]))  # fixed: now a target
        await until(lambda: addresses(sd).get("pod/shop/bad") == ["10.1.0.9:1"])
    run_with(sd, body)


@pytest.mark.parametrize("text, message", [
    ("clusters: [", "not a kubeconfig file"),
    ("current-context: x\ncontexts: []", "no context named 'x'"),
    ("current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\nclusters: [{name: k, cluster: {}}]\n"
     "users: [{name: u, user: {exec: {command: aws}}}]", "exec and auth-provider credentials are not supported"),
])
def test_bad_kubeconfig_is_reported(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "kubeconfig").write_text(text)
    sd = KubernetesDiscovery(KubernetesSdConfig(role="pod", kubeconfig_file=str(tmp_path / "kubeconfig")))

    async def body() -> None:
        await until(lambda: message in sd.last_error)
    run_with(sd, body)
