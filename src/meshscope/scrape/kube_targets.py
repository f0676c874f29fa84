"""Kubernetes objects (API JSON as dicts) to target groups, with Prometheus 2.42's ``__meta_kubernetes_*`` labels.

Pure functions, one per role; group sources are keyed as Prometheus keys them (``pod/<ns>/<name>``,
``svc/<ns>/<name>``, ``node/<name>`` ...). The endpoints roles join the service of the same name
and the pods their addresses point at, through ``find(kind, "<ns>/<name>")``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from meshscope.scrape.targets import TargetGroup

Obj = dict[str, Any]
Labels = dict[str, str]
Find = Callable[[str, str], Obj | None]
META = "__meta_kubernetes_"
NAMESPACE = META + "namespace"
_UNSAFE = re.compile(r"[^a-zA-Z0-9_]")
NODE_ADDRESS_ORDER = ("InternalIP", "ExternalIP", "LegacyHostIP", "Hostname")


def sanitize(name: str) -> str:
    return _UNSAFE.sub("_", name)


def key(obj: Obj) -> str:
    """The store key: ``<namespace>/<name>``, or ``<name>`` for cluster-wide objects."""
    meta = obj.get("metadata") or {}
    ns = meta.get("namespace") or ""
    return f"{ns}/{meta.get('name', '')}" if ns else str(meta.get("name", ""))


def host_port(host: str, port: Any) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def object_labels(prefix: str, obj: Obj, annotations: bool = True) -> Labels:
    """``<prefix>_label_<name>``, ``<prefix>_labelpresent_<name>`` (and the same for annotations)."""
    meta = obj.get("metadata") or {}
    out: Labels = {}
    kinds = ("label", "annotation") if annotations else ("label",)
    for kind in kinds:
        for name, value in (meta.get(f"{kind}s") or {}).items():
            safe = sanitize(name)
            out[f"{META}{prefix}_{kind}_{safe}"] = str(value)
            out[f"{META}{prefix}_{kind}present_{safe}"] = "true"
    return out


def _group(source: str, labels: Labels, targets: list[Labels]) -> TargetGroup:
    own = [{k: v for k, v in t.items() if k != "__address__"} for t in targets]
    return TargetGroup(tuple(t["__address__"] for t in targets), tuple(sorted(labels.items())), source,
                       tuple(tuple(sorted(o.items())) for o in own))


def _meta(obj: Obj) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


# --- node -------------------------------------------------------------------------------------

def node_group(node: Obj) -> TargetGroup:
    _, name = _meta(node)
    source = f"node/{name}"
    status = node.get("status") or {}
    first: dict[str, str] = {}
    for addr in status.get("addresses") or []:
        first.setdefault(str(addr.get("type")), str(addr.get("address")))
    address = next((first[t] for t in NODE_ADDRESS_ORDER if t in first), None)
    if address is None:  # Prometheus logs "cannot get node address" and skips the node
        return TargetGroup((), (), source)
    labels = {META + "node_name": name, META + "node_provider_id": str((node.get("spec") or {}).get("providerID", "")),
              **object_labels("node", node)}
    port = ((status.get("daemonEndpoints") or {}).get("kubeletEndpoint") or {}).get("Port", 0)
    target = {"__address__": host_port(address, port), "instance": name,
              **{f"{META}node_address_{t}": a for t, a in first.items()}}
    return _group(source, labels, [target])


# --- service ----------------------------------------------------------------------------------

def service_labels(svc: Obj) -> Labels:
    ns, name = _meta(svc)
    return {META + "service_name": name, NAMESPACE: ns, **object_labels("service", svc)}


def service_group(svc: Obj) -> TargetGroup:
    ns, name = _meta(svc)
    spec = svc.get("spec") or {}
    kind = str(spec.get("type") or "ClusterIP")
    targets = []
    for port in spec.get("ports") or []:
        t = {"__address__": host_port(f"{name}.{ns}.svc", port.get("port")),
             META + "service_port_name": str(port.get("name") or ""),
             META + "service_port_number": str(port.get("port")),
             META + "service_port_protocol": str(port.get("protocol") or "TCP"),
             META + "service_type": kind}
        if kind == "ExternalName":
            t[META + "service_external_name"] = str(spec.get("externalName") or "")
        else:
            t[META + "service_cluster_ip"] = str(spec.get("clusterIP") or "")
        targets.append(t)
    return _group(f"svc/{ns}/{name}", service_labels(svc), targets)


# --- pod --------------------------------------------------------------------------------------

def pod_ready(pod: Obj) -> str:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return str(cond.get("status", "Unknown")).lower()
    return "unknown"


def pod_labels(pod: Obj) -> Labels:
    _, name = _meta(pod)
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    out = {META + "pod_name": name, META + "pod_ip": str(status.get("podIP") or ""),
           META + "pod_ready": pod_ready(pod), META + "pod_phase": str(status.get("phase") or ""),
           META + "pod_node_name": str(spec.get("nodeName") or ""),
           META + "pod_host_ip": str(status.get("hostIP") or ""),
           META + "pod_uid": str(meta.get("uid") or "")}
    controller = next((r for r in meta.get("ownerReferences") or [] if r.get("controller")), None)
    if controller is not None:
        if controller.get("kind"):
            out[META + "pod_controller_kind"] = str(controller["kind"])
        if controller.get("name"):
            out[META + "pod_controller_name"] = str(controller["name"])
    return {**out, **object_labels("pod", pod)}


def _containers(pod: Obj) -> Iterator[tuple[Obj, bool]]:
    spec = pod.get("spec") or {}
    for c in spec.get("containers") or []:
        yield c, False
    for c in spec.get("initContainers") or []:
        yield c, True


def _port_labels(container: Obj, port: Obj) -> Labels:
    return {META + "pod_container_name": str(container.get("name") or ""),
            META + "pod_container_image": str(container.get("image") or ""),
            META + "pod_container_port_name": str(port.get("name") or ""),
            META + "pod_container_port_number": str(port.get("containerPort")),
            META + "pod_container_port_protocol": str(port.get("protocol") or "TCP")}


def node_meta(node_name: Any, find: Find) -> Labels:
    """``attach_metadata: {node: true}``: the node's name and labels (nothing when the node is unknown)."""
    node = find("node", str(node_name)) if node_name else None
    if node is None:
        return {}
    return {META + "node_name": str(node_name), **object_labels("node", node, annotations=False)}


def pod_group(pod: Obj, find: Find) -> TargetGroup:
    ns, name = _meta(pod)
    source = f"pod/{ns}/{name}"
    ip = str((pod.get("status") or {}).get("podIP") or "")
    if not ip:  # starting or evicted: no targets
        return TargetGroup((), (), source)
    targets = []
    for c, init in _containers(pod):
        common = {META + "pod_container_name": str(c.get("name") or ""),
                  META + "pod_container_image": str(c.get("image") or ""),
                  META + "pod_container_init": "true" if init else "false"}
        if not c.get("ports"):  # a port-free target per container, for relabeling to add a port
            targets.append({"__address__": f"[{ip}]" if ":" in ip else ip, **common})
        for port in c.get("ports") or []:
            targets.append({"__address__": host_port(ip, port.get("containerPort")), **common,
                            **_port_labels(c, port)})
    labels = {**pod_labels(pod), NAMESPACE: ns, **node_meta((pod.get("spec") or {}).get("nodeName"), find)}
    return _group(source, labels, targets)


# --- endpoints and endpointslice ----------------------------------------------------------------

def _pod_of(ref: Obj | None, ns: str, find: Find) -> Obj | None:
    if not ref or ref.get("kind") != "Pod":
        return None
    return find("pod", f"{ref.get('namespace') or ns}/{ref.get('name', '')}")


class _PodJoin:
    """Adds pod labels to targets backed by pods and, after, targets for the pods' other container ports."""

    def __init__(self) -> None:
        self.seen: dict[str, tuple[Obj, set[int]]] = {}

    def attach(self, target: Labels, pod: Obj, port: int | None) -> Labels:
        entry = self.seen.setdefault(key(pod), (pod, set()))
        target = {**target, **pod_labels(pod)}
        for c, init in _containers(pod):
            if init:
                continue
            match = next((p for p in c.get("ports") or [] if port is not None and p.get("containerPort") == port), None)
            if match is not None:
                target.update(_port_labels(c, match))
                break
        if port is not None:
            entry[1].add(port)
        return target

    def extra_targets(self) -> list[Labels]:
        out = []
        for pod, ports in self.seen.values():
            ip = str((pod.get("status") or {}).get("podIP") or "")
            if not ip:
                continue
            for c, init in _containers(pod):
                for p in [] if init else c.get("ports") or []:
                    if p.get("containerPort") not in ports:
                        out.append({"__address__": host_port(ip, p.get("containerPort")), **_port_labels(c, p),
                                    **pod_labels(pod)})
        return out


def endpoints_group(eps: Obj, find: Find) -> TargetGroup:
    ns, name = _meta(eps)
    labels = {NAMESPACE: ns, META + "endpoints_name": name}
    svc = find("service", f"{ns}/{name}")
    if svc is not None:
        labels.update(service_labels(svc))
    labels.update(object_labels("endpoints", eps, annotations=False))
    join, targets = _PodJoin(), []
    for subset in eps.get("subsets") or []:
        for port in subset.get("ports") or []:
            for ready, field in (("true", "addresses"), ("false", "notReadyAddresses")):
                for addr in subset.get(field) or []:
                    targets.append(_endpoint_target(addr, port, ready, ns, find, join))
    return _group(f"endpoints/{ns}/{name}", labels, targets + join.extra_targets())


def _endpoint_target(addr: Obj, port: Obj, ready: str, ns: str, find: Find, join: _PodJoin) -> Labels:
    t = {"__address__": host_port(str(addr.get("ip")), port.get("port")),
         META + "endpoint_port_name": str(port.get("name") or ""),
         META + "endpoint_port_protocol": str(port.get("protocol") or "TCP"), META + "endpoint_ready": ready}
    ref = addr.get("targetRef")
    if ref:
        t[META + "endpoint_address_target_kind"] = str(ref.get("kind") or "")
        t[META + "endpoint_address_target_name"] = str(ref.get("name") or "")
    if addr.get("nodeName") is not None:
        t[META + "endpoint_node_name"] = str(addr["nodeName"])
    if addr.get("hostname"):
        t[META + "endpoint_hostname"] = str(addr["hostname"])
    t.update(node_meta(addr.get("nodeName"), find))
    pod = _pod_of(ref, ns, find)
    return t if pod is None else join.attach(t, pod, port.get("port"))


SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def endpointslice_group(eps: Obj, find: Find) -> TargetGroup:
    ns, name = _meta(eps)
    labels = {NAMESPACE: ns, META + "endpointslice_name": name,
              META + "endpointslice_address_type": str(eps.get("addressType") or "")}
    labels.update(object_labels("endpointslice", eps, annotations=False))
    svc_name = ((eps.get("metadata") or {}).get("labels") or {}).get(SERVICE_NAME_LABEL)
    svc = find("service", f"{ns}/{svc_name}") if svc_name else None
    if svc is not None:
        labels.update(service_labels(svc))
    join, targets = _PodJoin(), []
    for ep in eps.get("endpoints") or []:
        for port in eps.get("ports") or []:
            for addr in ep.get("addresses") or []:
                targets.append(_slice_target(str(addr), ep, port, ns, find, join))
    return _group(f"endpointslice/{ns}/{name}", labels, targets + join.extra_targets())


def _slice_target(addr: str, ep: Obj, port: Obj, ns: str, find: Find, join: _PodJoin) -> Labels:
    number = port.get("port")
    t = {"__address__": addr if number is None else host_port(addr, number)}
    prefix = META + "endpointslice_"
    for label, value in (("port_name", port.get("name")), ("port_protocol", port.get("protocol")),
                         ("port", number), ("endpoint_hostname", ep.get("hostname"))):
        if value is not None:
            t[prefix + label] = str(value)
    for cond, value in (ep.get("conditions") or {}).items():
        if cond in ("ready", "serving", "terminating") and value is not None:
            t[f"{prefix}endpoint_conditions_{cond}"] = "true" if value else "false"
    ref = ep.get("targetRef")
    if ref:
        t[prefix + "address_target_kind"] = str(ref.get("kind") or "")
        t[prefix + "address_target_name"] = str(ref.get("name") or "")
    for name, value in (ep.get("deprecatedTopology") or {}).items():
        t[f"{prefix}endpoint_topology_{sanitize(name)}"] = str(value)
        t[f"{prefix}endpoint_topology_present_{sanitize(name)}"] = "true"
    t.update(node_meta(slice_node_name(ep), find))
    pod = _pod_of(ref, ns, find)
    return t if pod is None else join.attach(t, pod, number)


# --- ingress ----------------------------------------------------------------------------------

def _host_matches(pattern: str, host: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and "." not in host[: -len(pattern) + 1]
    return pattern == host


def ingress_group(ing: Obj) -> TargetGroup:
    ns, name = _meta(ing)
    spec = ing.get("spec") or {}
    labels = {NAMESPACE: ns, META + "ingress_name": name, **object_labels("ingress", ing)}
    if spec.get("ingressClassName") is not None:
        labels[META + "ingress_class_name"] = str(spec["ingressClassName"])
    tls_hosts = [h for tls in spec.get("tls") or [] for h in tls.get("hosts") or []]
    targets = []
    for rule in spec.get("rules") or []:
        host = str(rule.get("host") or "")
        scheme = "https" if any(_host_matches(p, host) for p in tls_hosts) else "http"
        paths = [p.get("path") or "/" for p in (rule.get("http") or {}).get("paths") or []] or ["/"]
        for path in paths:
            targets.append({"__address__": host, META + "ingress_scheme": scheme,
                            META + "ingress_host": host, META + "ingress_path": str(path)})
    return _group(f"ingress/{ns}/{name}", labels, targets)


def slice_node_name(ep: Obj) -> Any:
    ref = ep.get("targetRef") or {}
    return ref.get("name") if ref.get("kind") == "Node" else ep.get("nodeName")


def node_names(role: str, obj: Obj) -> set[str]:
    """The nodes whose metadata ``attach_metadata`` adds to this object's targets."""
    if role == "pod":
        names = [(obj.get("spec") or {}).get("nodeName")]
    elif role == "endpoints":
        names = [a.get("nodeName") for s in obj.get("subsets") or []
                 for field in ("addresses", "notReadyAddresses") for a in s.get(field) or []]
    else:
        names = [slice_node_name(ep) for ep in obj.get("endpoints") or []]
    return {str(n) for n in names if n}


# role -> builder; ``find`` looks up the other watched kinds (services, pods, nodes)
BUILDERS: dict[str, Callable[[Obj, Find], TargetGroup]] = {
    "node": lambda obj, _find: node_group(obj), "service": lambda obj, _find: service_group(obj),
    "ingress": lambda obj, _find: ingress_group(obj), "pod": pod_group,
    "endpoints": endpoints_group, "endpointslice": endpointslice_group}
JOINED = ("endpoints", "endpointslice")  # roles joined with services and pods
