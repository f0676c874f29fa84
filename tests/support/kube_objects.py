"""Real-shaped Kubernetes API objects (as the API server returns them) for discovery tests."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def meta(name: str, namespace: str | None = "shop", labels: dict[str, str] | None = None,
         annotations: dict[str, str] | None = None, **extra: Any) -> Obj:
    out: Obj = {"name": name, **({"namespace": namespace} if namespace else {}), **extra}
    if labels:
        out["labels"] = labels
    if annotations:
        out["annotations"] = annotations
    return out


def pod(name: str, ip: str, ports: list[tuple[str, int]] | None = None, *, namespace: str = "shop",
        labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None, ready: str = "True",
        node: str = "node-1", init_containers: list[Obj] | None = None, extra_containers: list[Obj] | None = None,
        owner: tuple[str, str] | None = ("ReplicaSet", "web-7d9f")) -> Obj:
    containers: list[Obj] = [{"name": "app", "image": "shop/app:1.2",
                              **({"ports": [{"name": n, "containerPort": p, "protocol": "TCP"} for n, p in ports]}
                                 if ports else {})}]
    owners = [{"apiVersion": "apps/v1", "kind": owner[0], "name": owner[1], "uid": "u-1", "controller": True,
               "blockOwnerDeletion": True}] if owner else []
    return {
        "metadata": meta(name, namespace, labels, annotations, uid=f"uid-{name}", ownerReferences=owners),
        "spec": {"nodeName": node, "containers": containers + (extra_containers or []),
                 **({"initContainers": init_containers} if init_containers else {})},
        "status": {"phase": "Running", "hostIP": "10.0.0.1", "podIP": ip, "podIPs": [{"ip": ip}] if ip else [],
                   "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": ready}]},
    }


def service(name: str, ports: list[tuple[str, int]], *, namespace: str = "shop", type_: str = "ClusterIP",
            labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None) -> Obj:
    spec: Obj = {"type": type_, "ports": [{"name": n, "port": p, "protocol": "TCP", "targetPort": p} for n, p in ports]}
    if type_ == "ExternalName":
        spec["externalName"] = "db.example.com"
    else:
        spec["clusterIP"] = "10.96.0.10"
    return {"metadata": meta(name, namespace, labels, annotations), "spec": spec, "status": {"loadBalancer": {}}}


def endpoints(name: str, pods: list[tuple[str, str]], ports: list[tuple[str, int]], *, namespace: str = "shop",
              not_ready: list[tuple[str, str]] | None = None, labels: dict[str, str] | None = None) -> Obj:
    def addr(pod_name: str, ip: str) -> Obj:
        return {"ip": ip, "nodeName": "node-1",
                "targetRef": {"kind": "Pod", "namespace": namespace, "name": pod_name, "uid": f"uid-{pod_name}"}}
    subset: Obj = {"addresses": [addr(n, ip) for n, ip in pods],
                   "ports": [{"name": n, "port": p, "protocol": "TCP"} for n, p in ports]}
    if not_ready:
        subset["notReadyAddresses"] = [addr(n, ip) for n, ip in not_ready]
    return {"metadata": meta(name, namespace, labels), "subsets": [subset]}


def endpointslice(name: str, service_name: str, pods: list[tuple[str, str]], ports: list[tuple[str, int]], *,
                  namespace: str = "shop") -> Obj:
    return {
        "metadata": meta(name, namespace, {"kubernetes.io/service-name": service_name,
                                           "endpointslice.kubernetes.io/managed-by": "endpointslice-controller"}),
        "addressType": "IPv4",
        "endpoints": [{"addresses": [ip], "conditions": {"ready": True, "serving": True, "terminating": False},
                       "nodeName": "node-1", "zone": "z1",
                       "targetRef": {"kind": "Pod", "namespace": namespace, "name": n, "uid": f"uid-{n}"}}
                      for n, ip in pods],
        "ports": [{"name": n, "port": p, "protocol": "TCP"} for n, p in ports],
    }


def node(name: str, ip: str, *, kubelet_port: int = 10250, labels: dict[str, str] | None = None) -> Obj:
    return {"metadata": meta(name, None, labels or {"kubernetes.io/hostname": name},
                             {"node.alpha.kubernetes.io/ttl": "0"}),
            "spec": {"providerID": f"kind://docker/kind/{name}"},
            "status": {"addresses": [{"type": "Hostname", "address": name}, {"type": "InternalIP", "address": ip}],
                       "daemonEndpoints": {"kubeletEndpoint": {"Port": kubelet_port}}}}


def ingress(name: str, *, namespace: str = "shop") -> Obj:
    return {"metadata": meta(name, namespace, {"app": "web"}),
            "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["*.shop.example"], "secretName": "tls"}],
                     "rules": [{"host": "www.shop.example", "http": {"paths": [
                         {"path": "/", "pathType": "Prefix",
                          "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                         {"path": "/api", "pathType": "Prefix",
                          "backend": {"service": {"name": "api", "port": {"number": 8080}}}}]}},
                               {"host": "plain.example"}]}}
