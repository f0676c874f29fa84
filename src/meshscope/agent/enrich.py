"""Resource attributes of a source: host, service and Kubernetes identity from the log path."""

from __future__ import annotations

import re
from pathlib import Path

# /var/log/containers/<pod>_<namespace>_<container>-<64 hex id>.log
_CONTAINERS = re.compile(r"/containers/(?P<pod>[^_/]+)_(?P<namespace>[^_/]+)_(?P<container>.+)-"
                         r"(?P<id>[0-9a-f]{64})\.log$")
# /var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log
_PODS = re.compile(r"/pods/(?P<namespace>[^_/]+)_(?P<pod>[^_/]+)_(?P<uid>[^/]+)/(?P<container>[^/]+)/"
                   r"\d+\.log")


def kubernetes_attributes(path: str) -> dict[str, str]:
    m = _CONTAINERS.search(path)
    if m:
        return {"k8s.pod.name": m["pod"], "k8s.namespace.name": m["namespace"],
                "k8s.container.name": m["container"], "container.id": m["id"]}
    m = _PODS.search(path)
    if m:
        return {"k8s.pod.name": m["pod"], "k8s.namespace.name": m["namespace"],
                "k8s.container.name": m["container"], "k8s.pod.uid": m["uid"]}
    return {}


def service_name(path: str, configured: str, pattern: str, k8s: dict[str, str]) -> str:
    """Config first, then the ``service`` group (or the first group) of ``pattern``, then the
    container name, then the file's stem."""
    if configured:
        return configured
    if pattern:
        m = re.search(pattern, path)
        if m:
            return m.groupdict().get("service") or (m.group(1) if m.groups() else m.group(0))
    if "k8s.container.name" in k8s:
        return k8s["k8s.container.name"]
    return Path(path).stem


def file_resource(path: str, host: str, configured_service: str, pattern: str,
                  extra: dict[str, str]) -> dict[str, str]:
    k8s = kubernetes_attributes(path)
    attrs = {"host.name": host, "service.name": service_name(path, configured_service, pattern, k8s),
             "log.file.path": path, **k8s}
    attrs.update(extra)
    return attrs
