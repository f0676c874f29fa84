"""A wire-exact fake Kubernetes API server (list + watch) for discovery tests.

Written from the Kubernetes API reference, not from any client: ``GET /api/v1/pods``,
``/api/v1/namespaces/<ns>/pods`` (and services, endpoints, nodes, ``discovery.k8s.io/v1``
endpointslices, ``networking.k8s.io/v1`` ingresses) answer ``<Kind>List`` JSON with
``metadata.resourceVersion``; ``?watch=1&resourceVersion=N`` streams newline-delimited
``{"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object": ...}`` events over chunked encoding.
A version older than the last :meth:`compact` gets the real server's answer: an ``ERROR`` event
whose object is a ``Status`` with code 410 (``Expired``). ``labelSelector`` (``=``, ``==``,
``!=``, ``in``, ``notin``, existence) and ``fieldSelector`` (``=``, ``!=`` on dotted paths) filter.
"""

from __future__ import annotations

import copy
import json
import re
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# resource -> (API prefix, kind, apiVersion, namespaced)
RESOURCES = {
    "pods": ("/api/v1", "Pod", "v1", True), "services": ("/api/v1", "Service", "v1", True),
    "endpoints": ("/api/v1", "Endpoints", "v1", True), "nodes": ("/api/v1", "Node", "v1", False),
    "endpointslices": ("/apis/discovery.k8s.io/v1", "EndpointSlice", "discovery.k8s.io/v1", True),
    "ingresses": ("/apis/networking.k8s.io/v1", "Ingress", "networking.k8s.io/v1", True)}
VERSION = {"major": "1", "minor": "26", "gitVersion": "v1.26.3", "gitTreeState": "clean",
           "buildDate": "2023-03-15T13:33:12Z", "goVersion": "go1.19.7", "compiler": "gc",
           "platform": "linux/amd64"}
_PATH = re.compile(r"^(/api/v1|/apis/[^/]+/v1)(?:/namespaces/([^/]+))?/([a-z]+)$")
Obj = dict[str, Any]


def status(code: int, reason: str, message: str) -> Obj:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}


def _selector_terms(text: str) -> list[str]:
    return [t.strip() for t in re.split(r",(?![^()]*\))", text) if t.strip()]


def label_match(selector: str, labels: dict[str, str]) -> bool:
    for term in _selector_terms(selector):
        m = re.match(r"^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$", term)
        if m:
            values = {v.strip() for v in m.group(3).split(",")}
            if (labels.get(m.group(1)) in values) != (m.group(2) == "in"):
                return False
            continue
        m = re.match(r"^([\w./-]+)\s*(==|=|!=)\s*(.*)$", term)
        if m:
            if (labels.get(m.group(1)) == m.group(3)) != (m.group(2) != "!="):
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def field_match(selector: str, obj: Obj) -> bool:
    for term in _selector_terms(selector):
        name, op, want = re.match(r"^([\w.]+)\s*(==|=|!=)\s*(.*)$", term).groups()  # type: ignore[union-attr]
        value: Any = obj
        for part in name.split("."):
            value = value.get(part, "") if isinstance(value, dict) else ""
        if (str(value) == want) != (op != "!="):
            return False
    return True


class FakeKubernetes:
    """Objects by resource; every change is an event with a new resourceVersion."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.cond = threading.Condition()
        self.version = 1000
        self.objects: dict[str, dict[tuple[str, str], Obj]] = {r: {} for r in RESOURCES}
        self.events: list[tuple[int, str, str, Obj]] = []  # version, resource, type, object
        self.compacted = 0
        self.generation = 0  # bumped to end every open watch
        self.requests: list[dict[str, Any]] = []
        self.watching = 0
        self.available = True  # False: every request gets 503, as from an API server that is down

    def put(self, resource: str, obj: Obj) -> Obj:
        with self.cond:
            obj = copy.deepcopy(obj)
            meta = obj.setdefault("metadata", {})
            if not RESOURCES[resource][3]:
                meta.pop("namespace", None)
            k = (meta.get("namespace", ""), meta["name"])
            old = self.objects[resource].get(k)
            meta.setdefault("uid", old["metadata"]["uid"] if old else str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", "2026-01-01T00:00:00Z")
            self.version += 1
            meta["resourceVersion"] = str(self.version)
            self.objects[resource][k] = obj
            self.events.append((self.version, resource, "MODIFIED" if old else "ADDED", obj))
            self.cond.notify_all()
            return obj

    def delete(self, resource: str, namespace: str, name: str) -> None:
        with self.cond:
            obj = copy.deepcopy(self.objects[resource].pop((namespace, name)))
            self.version += 1
            obj["metadata"]["resourceVersion"] = str(self.version)
            self.events.append((self.version, resource, "DELETED", obj))
            self.cond.notify_all()

    def compact(self) -> None:
        """Forget history, as etcd compaction does: new watches from an older version get 410 Expired
        (watches already open keep receiving every event)."""
        with self.cond:
            self.compacted = self.version

    def drop_watches(self) -> None:
        with self.cond:
            self.generation += 1
            self.cond.notify_all()

    def wait_for_watchers(self, n: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self.watching < n:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.watching} watches open, expected {n}")
            time.sleep(0.02)

    def matches(self, obj: Obj, namespace: str, query: dict[str, str]) -> bool:
        meta = obj["metadata"]
        return (not namespace or meta.get("namespace") == namespace) \
            and label_match(query.get("labelSelector", ""), meta.get("labels") or {}) \
            and field_match(query.get("fieldSelector", ""), obj)

    def list_body(self, resource: str, namespace: str, query: dict[str, str]) -> Obj:
        _, kind, api_version, _ = RESOURCES[resource]
        with self.cond:
            items = [copy.deepcopy(o) for o in self.objects[resource].values() if self.matches(o, namespace, query)]
            return {"kind": f"{kind}List", "apiVersion": api_version,
                    "metadata": {"resourceVersion": str(self.version)}, "items": items}

    def watch_events(self, resource: str, namespace: str, query: dict[str, str]) -> Iterator[Obj]:
        """Events after the requested version, then new ones as they happen, until timeoutSeconds or a drop."""
        _, kind, api_version, _ = RESOURCES[resource]
        since = int(query.get("resourceVersion") or 0)
        deadline = time.monotonic() + float(query.get("timeoutSeconds") or 1800)
        with self.cond:
            generation = self.generation
            if since < self.compacted:
                yield {"type": "ERROR", "object": status(
                    410, "Expired", f"too old resource version: {since} ({self.compacted})")}
                return
        while True:
            with self.cond:
                fresh = [(v, t, o) for v, r, t, o in self.events if r == resource and v > since]
                if not fresh:
                    left = deadline - time.monotonic()
                    if left <= 0 or self.generation != generation:
                        return
                    self.cond.wait(min(left, 0.5))
                    continue
            for v, event_type, obj in fresh:
                since = v
                if self.matches(obj, namespace, query):
                    yield {"type": event_type, "object": {"kind": kind, "apiVersion": api_version,
                                                          **copy.deepcopy(obj)}}


@contextmanager
def fake_kubernetes(api: FakeKubernetes, tls: tuple[str, str] | None = None) -> Iterator[str]:
    """Serve ``api`` on 127.0.0.1 (HTTPS with ``tls`` = (cert file, key file)); yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            api.requests.append({"path": url.path, "query": query, "authorization": self.headers.get("Authorization")})
            if not api.available:
                return self._json(503, status(503, "ServiceUnavailable", "the server is currently unable to "
                                                                         "handle the request"))
            if api.token is not None and self.headers.get("Authorization") != f"Bearer {api.token}":
                return self._json(401, status(401, "Unauthorized", "Unauthorized"))
            if url.path == "/version":  # client-go asks before using discovery.k8s.io/v1 or networking.k8s.io/v1
                return self._json(200, VERSION)
            m = _PATH.match(url.path)
            if not m or m.group(3) not in RESOURCES or RESOURCES[m.group(3)][0] != m.group(1):
                return self._json(404, status(404, "NotFound", f"the server could not find the requested "
                                                               f"resource ({url.path})"))
            resource, namespace = m.group(3), m.group(2) or ""
            if query.get("watch") in ("1", "true"):
                return self._watch(resource, namespace, query)
            self._json(200, api.list_body(resource, namespace, query))

        def _json(self, code: int, body: Obj) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _watch(self, resource: str, namespace: str, query: dict[str, str]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            with api.cond:
                api.watching += 1
            try:
                for event in api.watch_events(resource, namespace, query):
                    line = json.dumps(event).encode() + b"\n"
                    self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with api.cond:
                    api.watching -= 1
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*tls)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        api.drop_watches()
        server.shutdown()
        server.server_close()
