"""Wire-exact requests of log shippers that cannot run here, built from their documentation.

Each function returns (method, path, headers, body) as the shipper sends it; start-up calls are
listed in the order the shipper makes them.
"""

from __future__ import annotations

import gzip
import json
import time

import cramjam

from meshscope.decode.loki_proto import PushRequest

Request = tuple[str, str, dict[str, str], bytes]


def _ndjson(pairs: list[tuple[dict, dict]]) -> bytes:
    return b"".join(json.dumps(a).encode() + b"\n" + json.dumps(d).encode() + b"\n" for a, d in pairs)


def _iso(ns: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 10**9)) + f".{ns % 10**9 // 10**6:03d}Z"


def filebeat(tag: str, now: int) -> list[Request]:
    """Filebeat 8 (elasticsearch output): handshake, template/ILM set-up, gzip'd bulk of ``create``s."""
    index = "filebeat-8.17.0"
    docs = [({"create": {"_index": index}},
             {"@timestamp": _iso(now - i * 10**6), "message": f"{tag} filebeat line {i}",
              "log": {"offset": 100 * i, "file": {"path": "/var/log/app/app.log"}, "level": "warn"},
              "input": {"type": "filestream"}, "ecs": {"version": "8.0.0"}, "host": {"name": "fb-host"},
              "agent": {"type": "filebeat", "version": "8.17.0", "name": "fb-host"},
              "service": {"name": f"{tag}-fb"}}) for i in range(3)]
    json_h = {"Content-Type": "application/json", "Accept": "application/json"}
    return [("GET", "/", json_h, b""), ("GET", "/_license?human=false", json_h, b""),
            ("GET", "/_ilm/policy/filebeat", json_h, b""),
            ("PUT", "/_ilm/policy/filebeat", json_h, b'{"policy":{"phases":{"hot":{"actions":{}}}}}'),
            ("GET", "/_index_template/filebeat-8.17.0", json_h, b""),
            ("PUT", "/_index_template/filebeat-8.17.0", json_h, b'{"index_patterns":["filebeat-8.17.0"]}'),
            ("POST", "/_bulk", {**json_h, "Content-Encoding": "gzip"}, gzip.compress(_ndjson(docs)))]


def logstash(tag: str, now: int) -> list[Request]:
    """Logstash 8 (elasticsearch output, ECS on, data streams): version and licence checks, then bulk."""
    docs = [({"create": {"_index": "logs-generic-default"}},
             {"@timestamp": _iso(now - i * 10**6), "@version": "1", "message": f"{tag} logstash event {i}",
              "host": {"hostname": "ls-host"}, "event": {"original": f"{tag} logstash event {i}"},
              "data_stream": {"type": "logs", "dataset": "generic", "namespace": "default"},
              "service": {"name": f"{tag}-ls"}, "log": {"level": "ERROR"}}) for i in range(2)]
    h = {"Content-Type": "application/json"}
    return [("HEAD", "/", h, b""), ("GET", "/", h, b""), ("GET", "/_license", h, b""), ("GET", "/_xpack", h, b""),
            ("HEAD", "/_index_template/ecs-logstash", h, b""),
            ("POST", "/_bulk", {**h, "Content-Encoding": "gzip"}, gzip.compress(_ndjson(docs)))]


def fluent_bit_es(tag: str, now: int) -> list[Request]:
    """Fluent Bit ``es`` output: no handshake, ``create`` actions, Kubernetes metadata, ndjson."""
    docs = [({"create": {"_index": "fluent-bit"}},
             {"@timestamp": _iso(now - i * 10**6), "log": f"{tag} fluent-bit es record {i}\n", "stream": "stdout",
              "kubernetes": {"pod_name": f"{tag}-7d9f", "namespace_name": "shop", "container_name": f"{tag}-fbes",
                             "host": "node-1", "labels": {"app": f"{tag}-fbes"}}}) for i in range(2)]
    return [("POST", "/_bulk", {"Content-Type": "application/x-ndjson"}, _ndjson(docs))]


def fluent_bit_loki(tag: str, now: int) -> list[Request]:
    """Fluent Bit ``loki`` output: JSON push, ``job=fluent-bit`` plus configured labels, JSON lines,
    structured metadata as the third element."""
    values = [[str(now - i), json.dumps({"log": f"{tag} fluent-bit loki {i}", "level": "info"}),
               {"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"}] for i in range(2)]
    body = {"streams": [{"stream": {"job": "fluent-bit", "app": f"{tag}-fbloki"}, "values": values}]}
    return [("POST", "/loki/api/v1/push", {"Content-Type": "application/json"}, json.dumps(body).encode())]


def vector_loki(tag: str, now: int) -> list[Request]:
    """Vector ``loki`` sink, default encoding: logproto.PushRequest, snappy block compression."""
    req = PushRequest()
    stream = req.streams.add()
    stream.labels = f'{{source_type="file", host="vec-host", service_name="{tag}-vector"}}'.encode()
    for i in range(3):
        e = stream.entries.add()
        e.timestamp.seconds, e.timestamp.nanos = divmod(now - i, 10**9)
        e.line = f"{tag} vector line {i}".encode()
    meta = stream.entries[0].structuredMetadata.add()
    meta.name, meta.value = b"traceId", b"0af7651916cd43dd8448eb211c80319c"
    body = bytes(cramjam.snappy.compress_raw(req.SerializeToString()))
    return [("GET", "/ready", {}, b""),
            ("POST", "/loki/api/v1/push", {"Content-Type": "application/x-protobuf"}, body)]


def vector_elasticsearch(tag: str, now: int) -> list[Request]:
    """Vector ``elasticsearch`` sink: version probe, cluster health check, ``index`` actions."""
    docs = [({"index": {"_index": "vector-2027.01.15"}},
             {"timestamp": _iso(now - i * 10**6), "message": f"{tag} vector es {i}", "host": "vec-es-host",
              "source_type": "file", "service": f"{tag}-vecs"}) for i in range(2)]
    h = {"Content-Type": "application/json"}
    return [("GET", "/", h, b""), ("GET", "/_cluster/health", h, b""),
            ("POST", "/_bulk", {"Content-Type": "application/x-ndjson"}, _ndjson(docs))]
