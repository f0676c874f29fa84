"""``kubernetes_sd_configs``: targets for one role, kept current by watching the API server.

One :class:`Reflector` per watched resource and namespace (the endpoints roles also watch
services and pods, to join them as Prometheus does). Every change rebuilds only the groups it
touches: the object's own group, and for a service or pod change the endpoints(lices) that
name that service or point at that pod (found through indexes kept as endpoints change).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from pathlib import Path

from meshscope.scrape.config import KubernetesSdConfig
from meshscope.scrape.kube_api import SERVICE_ACCOUNT_DIR, ApiConnection, OnChange, Reflector, connect, resource_url
from meshscope.scrape.kube_targets import BUILDERS, JOINED, SERVICE_NAME_LABEL, Obj, node_names
from meshscope.scrape.targets import TargetGroup

log = logging.getLogger(__name__)
RETRY_S = 5.0


class KubernetesDiscovery:
    def __init__(self, cfg: KubernetesSdConfig, env: Mapping[str, str] | None = None,
                 sa_dir: Path = SERVICE_ACCOUNT_DIR) -> None:
        self.cfg, self.env, self.sa_dir = cfg, env, sa_dir
        self.reflectors: dict[str, list[Reflector]] = {}
        self._groups: dict[str, TargetGroup] = {}
        # for the endpoints roles: pod key -> primary keys pointing at it, service key -> primary keys
        self._by_pod: dict[str, set[str]] = {}
        self._by_service: dict[str, set[str]] = {}
        self._by_node: dict[str, set[str]] = {}  # node name -> primary keys (attach_metadata)
        self._stale: set[str] = set()  # groups from before a restart not yet seen again
        self.last_error = ""

    def groups(self) -> list[TargetGroup]:
        primary = self.reflectors.get(self.cfg.role, [])
        if self._stale and primary and all(r.lists for r in primary):
            for source in self._stale:  # objects deleted while we were reconnecting
                self._groups.pop(source, None)
            self._stale = set()
        return list(self._groups.values())

    def kinds(self) -> list[str]:
        role = self.cfg.role
        kinds: list[str] = [role, "service", "pod"] if role in JOINED else [role]
        return kinds + ["node"] if self.attach_node else kinds

    @property
    def attach_node(self) -> bool:
        return self.cfg.attach_metadata.node and self.cfg.role in ("pod", *JOINED)

    def namespaces(self, conn: ApiConnection) -> list[str]:
        names = list(self.cfg.namespaces.names)
        if self.cfg.namespaces.own_namespace:
            if not conn.own_namespace:
                raise ValueError("own_namespace: cannot tell this process' namespace (no service account "
                                 "namespace file, no kubeconfig context namespace)")
            names.append(conn.own_namespace)
        return list(dict.fromkeys(names)) or [""]

    async def run(self) -> None:
        while True:
            conn: ApiConnection | None = None
            try:
                conn = connect(self.cfg, self.env, self.sa_dir)
                await self._watch_all(conn, self.namespaces(conn))
            except (ValueError, OSError) as exc:  # no connection settings, or no namespace to watch
                self.last_error = str(exc)
                log.warning("kubernetes_sd (%s): %s; retrying in %gs", self.cfg.role, exc, RETRY_S)
            finally:
                if conn is not None:
                    await conn.client.aclose()
            await asyncio.sleep(RETRY_S)

    async def _watch_all(self, conn: ApiConnection, namespaces: list[str]) -> None:
        # a (re)start: the indexes are rebuilt by the first lists; groups stay until those lists
        # show which objects are gone, so a restart never drops live targets
        for index in (self._by_pod, self._by_service, self._by_node):
            index.clear()
        self._stale = set(self._groups)
        selectors = {s.role: s for s in self.cfg.selectors}
        for kind in self.kinds():
            params = {}
            if kind in selectors and selectors[kind].label:
                params["labelSelector"] = selectors[kind].label
            if kind in selectors and selectors[kind].field:
                params["fieldSelector"] = selectors[kind].field
            self.reflectors[kind] = [
                Reflector(conn.client, resource_url(conn.base_url, kind, ns), params, self._on_change(kind))
                for ns in (namespaces if kind != "node" else [""])]
        await asyncio.gather(*(r.run() for rs in self.reflectors.values() for r in rs))

    def find(self, kind: str, key: str) -> Obj | None:
        for r in self.reflectors.get(kind, []):
            if key in r.objects:
                return r.objects[key]
        return None

    def _on_change(self, kind: str) -> OnChange:
        def changed(key: str, old: Obj | None, new: Obj | None) -> None:
            if kind == self.cfg.role:
                self._index(key, old, new)
                self._rebuild(key)
            else:
                index = {"service": self._by_service, "pod": self._by_pod, "node": self._by_node}[kind]
                for k in sorted(index.get(key, ())):
                    self._rebuild(k)
        return changed

    def _index(self, key: str, old: Obj | None, new: Obj | None) -> None:
        ns, role = key.partition("/")[0], self.cfg.role
        for obj, add in ((old, False), (new, True)):
            if obj is None:
                continue
            refs = [(self._by_node, name) for name in node_names(role, obj)] if self.attach_node else []
            if role in JOINED:
                refs += [(self._by_pod, f"{ns}/{name}") for name in _pod_refs(obj)]
                refs.append((self._by_service, f"{ns}/{_service_name(role, obj)}"))
            for index, ref in refs:
                keys = index.setdefault(ref, set())
                if add:
                    keys.add(key)
                else:
                    keys.discard(key)
                    if not keys:
                        del index[ref]

    def _rebuild(self, key: str) -> None:
        role, obj = self.cfg.role, self.find(self.cfg.role, key)
        source = ("svc" if role == "service" else role) + "/" + key
        self._stale.discard(source)
        try:
            group = None if obj is None else BUILDERS[role](obj, self.find)
        except (TypeError, AttributeError, KeyError, ValueError) as exc:  # an object not shaped as the API says
            log.warning("kubernetes_sd: cannot read %s %s: %r", role, key, exc)
            group = None
        if group is None:
            self._groups.pop(source, None)
        else:
            self._groups[source] = group


def _pod_refs(obj: Obj) -> set[str]:
    refs = [a.get("targetRef") for s in obj.get("subsets") or []
            for field in ("addresses", "notReadyAddresses") for a in s.get(field) or []]
    refs += [ep.get("targetRef") for ep in obj.get("endpoints") or []]
    return {str(r.get("name")) for r in refs if r and r.get("kind") == "Pod"}


def _service_name(role: str, obj: Obj) -> str:
    """The service an Endpoints (same name) or EndpointSlice (its service-name label) belongs to."""
    meta = obj.get("metadata") or {}
    return str(meta.get("name") if role == "endpoints" else (meta.get("labels") or {}).get(SERVICE_NAME_LABEL))
