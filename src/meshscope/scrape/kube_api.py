"""Talking to the Kubernetes API server: where it is, how to authenticate, and list + watch.

The connection comes from ``api_server`` (with the scrape's HTTP client keys), a
``kubeconfig_file``, or the in-cluster service account (``KUBERNETES_SERVICE_HOST``/``_PORT``,
token and CA under ``/var/run/secrets/kubernetes.io/serviceaccount``; the token file is re-read
for every request, as it is rotated). A :class:`Reflector` keeps a local copy of one resource the
way client-go's does: list, then watch from the list's ``resourceVersion``; on ``410 Gone`` list
again; on errors reconnect with exponential backoff.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import random
import ssl
import tempfile
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from meshscope.scrape.config import KubernetesSdConfig
from meshscope.scrape.http_client import USER_AGENT, client_for
from meshscope.scrape.kube_targets import Obj, key

log = logging.getLogger(__name__)
SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")
RESOURCES = {  # role -> (API path prefix, resource name, namespaced)
    "pod": ("/api/v1", "pods", True), "service": ("/api/v1", "services", True),
    "endpoints": ("/api/v1", "endpoints", True), "node": ("/api/v1", "nodes", False),
    "endpointslice": ("/apis/discovery.k8s.io/v1", "endpointslices", True),
    "ingress": ("/apis/networking.k8s.io/v1", "ingresses", True)}
BACKOFF_MIN_S, BACKOFF_MAX_S = 0.2, 30.0


class KubeApiError(Exception):
    """The API server answered with an error (its Status message is kept)."""


@dataclass
class ApiConnection:
    base_url: str
    client: httpx.AsyncClient
    own_namespace: str = ""


class _TokenFile(httpx.Auth):
    def __init__(self, path: Path) -> None:
        self.path = path

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.path.read_text().strip()}"
        yield request


def connect(cfg: KubernetesSdConfig, env: Mapping[str, str] | None = None,
            sa_dir: Path = SERVICE_ACCOUNT_DIR) -> ApiConnection:
    """Raises ``ValueError``/``OSError`` naming what is missing when no connection can be made."""
    env = os.environ if env is None else env
    own = _read(sa_dir / "namespace")
    if cfg.api_server:
        return ApiConnection(cfg.api_server.rstrip("/"), client_for(cfg), own)
    if cfg.kubeconfig_file:
        return from_kubeconfig(Path(cfg.kubeconfig_file))
    host, port = env.get("KUBERNETES_SERVICE_HOST"), env.get("KUBERNETES_SERVICE_PORT")
    if not host or not port:
        raise ValueError("unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and "
                         "KUBERNETES_SERVICE_PORT must be defined (or set api_server or kubeconfig_file)")
    token = sa_dir / "token"
    if not token.exists():
        raise ValueError(f"in-cluster configuration: no service account token at {token}")
    ctx = ssl.create_default_context(cafile=str(sa_dir / "ca.crt"))
    client = httpx.AsyncClient(auth=_TokenFile(token), verify=ctx, headers={"User-Agent": USER_AGENT})
    bracketed = f"[{host}]" if ":" in host else host
    return ApiConnection(f"https://{bracketed}:{port}", client, own)


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def from_kubeconfig(path: Path) -> ApiConnection:
    try:
        doc: Any = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not a kubeconfig file: {exc}") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: not a kubeconfig file")
    name = doc.get("current-context")
    context = _named(doc, "contexts", name, path).get("context") or {}
    cluster = _named(doc, "clusters", context.get("cluster"), path).get("cluster") or {}
    user = _named(doc, "users", context.get("user"), path).get("user") or {} if context.get("user") else {}
    if "exec" in user or "auth-provider" in user:
        raise ValueError(f"{path}: exec and auth-provider credentials are not supported; use a token or client "
                         "certificate")
    base = Path(path).parent
    server = str(cluster.get("server") or "")
    if not server:
        raise ValueError(f"{path}: cluster {context.get('cluster')!r} has no server")
    auth: httpx.Auth | None = None
    headers = {"User-Agent": USER_AGENT}
    if user.get("token"):
        headers["Authorization"] = f"Bearer {user['token']}"
    elif user.get("tokenFile"):
        auth = _TokenFile(base / user["tokenFile"])
    elif user.get("username"):
        auth = httpx.BasicAuth(str(user["username"]), str(user.get("password") or ""))
    verify = _kubeconfig_tls(cluster, user, base)
    client = httpx.AsyncClient(auth=auth, headers=headers, verify=verify)
    return ApiConnection(server.rstrip("/"), client, str(context.get("namespace") or "default"))


def _named(doc: dict[str, Any], section: str, name: Any, path: Path) -> dict[str, Any]:
    for entry in doc.get(section) or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            return entry
    raise ValueError(f"{path}: no {section[:-1]} named {name!r}")


def _kubeconfig_tls(cluster: dict[str, Any], user: dict[str, Any], base: Path) -> ssl.SSLContext | bool:
    if cluster.get("insecure-skip-tls-verify"):
        return False
    ctx = ssl.create_default_context()
    if cluster.get("certificate-authority-data"):
        ctx.load_verify_locations(cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())
    elif cluster.get("certificate-authority"):
        ctx.load_verify_locations(cafile=str(base / cluster["certificate-authority"]))
    cert, cert_key = _pem(user, "client-certificate", base), _pem(user, "client-key", base)
    if cert:
        with tempfile.TemporaryDirectory() as tmp:  # ssl loads chains from files only
            cert_path, key_path = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
            cert_path.write_bytes(cert)
            key_path.write_bytes(cert_key or b"")
            ctx.load_cert_chain(str(cert_path), str(key_path) if cert_key else None)
    return ctx


def _pem(user: dict[str, Any], field: str, base: Path) -> bytes | None:
    if user.get(f"{field}-data"):
        return base64.b64decode(str(user[f"{field}-data"]))
    if user.get(field):
        return (base / str(user[field])).read_bytes()
    return None


def resource_url(base_url: str, role: str, namespace: str) -> str:
    prefix, plural, namespaced = RESOURCES[role]
    scope = f"/namespaces/{namespace}" if namespace and namespaced else ""
    return f"{base_url}{prefix}{scope}/{plural}"


OnChange = Callable[[str, Obj | None, Obj | None], None]  # key, old, new (None: absent)


class Reflector:
    """A local copy (``objects``) of one resource in one namespace (or all), kept by list + watch."""

    def __init__(self, client: httpx.AsyncClient, url: str, params: dict[str, str], on_change: OnChange) -> None:
        self.client, self.url, self.params, self.on_change = client, url, params, on_change
        self.objects: dict[str, Obj] = {}
        self.lists = 0  # how many times the resource was (re-)listed
        self.version = ""  # the last resourceVersion seen: a broken watch resumes from it
        self.last_error = ""

    async def run(self) -> None:
        backoff = BACKOFF_MIN_S
        while True:
            try:
                if not self.version:
                    self.version = await self.relist()
                self.version = await self.watch(self.version)
                backoff = BACKOFF_MIN_S
            except (httpx.HTTPError, KubeApiError, ValueError, OSError) as exc:
                self.last_error = str(exc) or type(exc).__name__
                log.warning("kubernetes_sd %s: %s; retrying in %.1fs", self.url, self.last_error, backoff)
                await asyncio.sleep(backoff * random.uniform(0.8, 1.2))
                backoff = min(backoff * 2, BACKOFF_MAX_S)

    async def relist(self) -> str:
        # the first list may come from the API server's watch cache ("0"), as client-go does;
        # after a 410 the list must be current ("")
        params = {**self.params, "resourceVersion": "" if self.lists else "0"}
        r = await self.client.get(self.url, params=params, timeout=60)
        if r.status_code != 200:
            raise KubeApiError(_status_message(r.status_code, r.text))
        body = r.json()
        if not isinstance(body, dict):
            raise KubeApiError("list answer is not a JSON object")
        fresh = {key(item): _slim(item) for item in body.get("items") or []}
        for k in [k for k in self.objects if k not in fresh]:
            self.on_change(k, self.objects.pop(k), None)
        for k, obj in fresh.items():
            old = self.objects.get(k)
            self.objects[k] = obj
            if old != obj:
                self.on_change(k, old, obj)
        self.lists += 1
        return str((body.get("metadata") or {}).get("resourceVersion") or "")

    async def watch(self, version: str) -> str:
        """Apply watch events until the server ends the stream; the version to resume from, or "" to relist."""
        seconds = random.randint(300, 600)
        params = {**self.params, "watch": "1", "resourceVersion": version, "allowWatchBookmarks": "true",
                  "timeoutSeconds": str(seconds)}
        timeout = httpx.Timeout(30, read=seconds + 30)
        async with self.client.stream("GET", self.url, params=params, timeout=timeout) as r:
            if r.status_code == 410:
                return ""
            if r.status_code != 200:
                raise KubeApiError(_status_message(r.status_code, (await r.aread()).decode(errors="replace")))
            async for line in r.aiter_lines():
                if line.strip():
                    version = self._apply(json.loads(line), version)
                    if not version:
                        return ""
                    self.version = version
        return version

    def _apply(self, event: Any, version: str) -> str:
        if not isinstance(event, dict) or not isinstance(event.get("object"), dict):
            raise KubeApiError(f"malformed watch event: {str(event)[:200]}")
        kind, obj = event.get("type"), event["object"]
        if kind == "ERROR":
            if obj.get("code") == 410:
                return ""  # our version was compacted away: list again
            raise KubeApiError(f"watch error: {obj.get('message') or obj}")
        if kind in ("ADDED", "MODIFIED"):
            k, obj = key(obj), _slim(obj)
            old, self.objects[k] = self.objects.get(k), obj
            self.on_change(k, old, obj)
        elif kind == "DELETED":
            k = key(obj)
            self.on_change(k, self.objects.pop(k, None), None)
        elif kind != "BOOKMARK":
            raise KubeApiError(f"unknown watch event type {kind!r}")
        return str((obj.get("metadata") or {}).get("resourceVersion") or version)


def _slim(obj: Obj) -> Obj:
    """Drop ``metadata.managedFields`` (often most of an object, never used for targets)."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    return obj


def _status_message(status: int, body: str) -> str:
    try:
        message = json.loads(body).get("message") or body
    except (ValueError, AttributeError):
        message = body
    return f"server returned HTTP status {status}: {str(message)[:300]}"
