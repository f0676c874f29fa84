"""Real log clients (python-logging-loki, elasticsearch-py, logger, rsyslog) and wire-exact shipper
requests send to a real server; a SQL read finds exactly what each sent."""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import logging_loki
import pytest
from elasticsearch import Elasticsearch, helpers

from support import shippers
from support.log_reads import lines_of, wait_for
from support.rsyslog import rsyslogd, send
from support.server import ServerProcess


def tag() -> str:
    return "t" + uuid.uuid4().hex[:8]


def test_python_logging_loki(meshscope_server: ServerProcess) -> None:
    t = tag()
    handler = logging_loki.LokiHandler(url=f"{meshscope_server.http_url}/loki/api/v1/push",
                                       tags={"application": t, "env": "test"}, version="1")
    logger = logging.getLogger(f"loki-{t}")
    logger.propagate = False
    logger.addHandler(handler)
    logger.warning("disk %s almost full", "/var")
    logger.error("payment %s failed", t)
    handler.close()
    rows = lines_of(meshscope_server, f"service_name = '{t}'", "body, severity_text, labels")
    assert rows == [
        {"body": "disk /var almost full", "severity_text": "WARN",
         "labels": {"application": t, "env": "test", "severity": "warning", "logger": f"loki-{t}",
                    "service_name": t}},
        {"body": f"payment {t} failed", "severity_text": "ERROR",
         "labels": {"application": t, "env": "test", "severity": "error", "logger": f"loki-{t}",
                    "service_name": t}}]


def test_elasticsearch_client_bulk_and_ids(meshscope_server: ServerProcess) -> None:
    t = tag()
    es = Elasticsearch(meshscope_server.http_url, request_timeout=30)
    assert es.info()["version"]["number"].startswith("8.")
    actions = [{"_op_type": "create", "_index": f"app-{t}", "_id": f"{t}-{i}",
                "_source": {"@timestamp": time.time() - i, "message": f"{t} bulk doc {i}", "level": "info",
                            "service": {"name": t}, "user": {"id": i}}} for i in range(50)]
    ok, errors = helpers.bulk(es, actions)
    assert ok == 50 and errors == []
    again, errors = helpers.bulk(es, actions[:10], raise_on_error=False)  # a shipper's retry
    assert again == 0 and [e["create"]["status"] for e in errors] == [409] * 10
    rows = lines_of(meshscope_server, f"service_name = '{t}'", "body, attributes['user.id'] AS uid, labels")
    assert sorted(r["body"] for r in rows) == sorted(f"{t} bulk doc {i}" for i in range(50))
    assert rows[0]["labels"] == {"service_name": t, "job": "elasticsearch", "index": f"app-{t}", "level": "info"}
    es.close()


def test_shipper_fixtures(meshscope_server: ServerProcess) -> None:
    t, now = tag(), time.time_ns()
    for make in (shippers.filebeat, shippers.logstash, shippers.fluent_bit_es, shippers.fluent_bit_loki,
                 shippers.vector_loki, shippers.vector_elasticsearch):
        for method, path, headers, body in make(t, now):
            r = httpx.request(method, meshscope_server.http_url + path, headers=headers, content=body, timeout=30)
            assert r.status_code in (200, 204), (make.__name__, path, r.status_code, r.text)
            if path in ("/", "/_bulk", "/_cluster/health"):
                assert r.headers["x-elastic-product"] == "Elasticsearch"
            if path == "/_bulk":
                assert r.json()["errors"] is False
            if path == "/" and method == "GET":
                assert r.json()["version"]["number"].startswith("8.")
            if method in ("GET", "PUT") and path != "/ready":
                assert r.json() is not None  # never an empty body
    rows = lines_of(meshscope_server, f"body LIKE '{t} %'",
                    "service_name, body, severity_text, labels['host'] AS host, trace_id")
    by_service: dict[str, list[dict]] = {}
    for row in rows:
        by_service.setdefault(row["service_name"], []).append(row)
    assert {s: len(v) for s, v in by_service.items()} == {
        f"{t}-fb": 3, f"{t}-ls": 2, f"{t}-fbes": 2, f"{t}-vector": 3, f"{t}-vecs": 2}
    assert {r["severity_text"] for r in by_service[f"{t}-fb"]} == {"WARN"}
    assert {r["host"] for r in by_service[f"{t}-ls"]} == {"ls-host"}
    assert {r["host"] for r in by_service[f"{t}-fbes"]} == {"node-1"}
    assert [r["trace_id"] for r in by_service[f"{t}-vector"]].count("0af7651916cd43dd8448eb211c80319c") == 1
    fb_loki = lines_of(meshscope_server, f"service_name = '{t}-fbloki'", "body, trace_id, labels['job'] AS job")
    assert len(fb_loki) == 2 and {r["job"] for r in fb_loki} == {"fluent-bit"}
    assert {r["trace_id"] for r in fb_loki} == {"4bf92f3577b34da6a3ce929d0e0e4736"}


def test_jsonl_for_curl(meshscope_server: ServerProcess) -> None:
    t = tag()
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    body = (f'{{"msg": "{t} one", "level": "debug", "traceId": "0af7651916cd43dd8448eb211c80319c"}}\n'
            f'{{"message": "{t} two", "severity": "WARNING", "time": "{now}"}}\n')
    r = httpx.post(f"{meshscope_server.http_url}/api/ms/logs/jsonl", params={"service_name": t},
                   content=body.encode(), timeout=30)
    assert r.status_code == 200 and r.json() == {"accepted": 2, "rejected": 0, "errors": []}
    rows = lines_of(meshscope_server, f"service_name = '{t}'", "body, severity_text, trace_id")
    assert sorted(rows, key=lambda x: x["body"]) == [
        {"body": f"{t} one", "severity_text": "DEBUG", "trace_id": "0af7651916cd43dd8448eb211c80319c"},
        {"body": f"{t} two", "severity_text": "WARN", "trace_id": ""}]


@pytest.mark.parametrize("mode", [["--tcp", "--octet-count"], ["--tcp"], ["--udp"], ["--udp", "--rfc3164"]])
def test_logger(meshscope_server: ServerProcess, mode: list[str]) -> None:
    if not shutil.which("logger"):
        pytest.skip("logger(1) is not installed")
    t = tag()
    for level in ("err", "info"):
        subprocess.run(["logger", *mode, "-n", "127.0.0.1", "-P", str(meshscope_server.syslog_port),
                        "-t", t, "-p", f"local3.{level}", f"{t} via logger {level}"], check=True, timeout=10)
    rows = wait_for(meshscope_server, f"service_name = '{t}'", 2,
                    "body, severity_text, attributes['syslog.facility'] AS facility")
    assert sorted(rows, key=lambda r: r["body"]) == [
        {"body": f"{t} via logger err", "severity_text": "ERROR", "facility": "local3"},
        {"body": f"{t} via logger info", "severity_text": "INFO", "facility": "local3"}]


def test_rsyslog_forwards(meshscope_server: ServerProcess, tmp_path: Path) -> None:
    t = tag()
    with rsyslogd(tmp_path, f"""action(type="omfwd" target="127.0.0.1" port="{meshscope_server.syslog_port}"
       protocol="tcp" template="RSYSLOG_SyslogProtocol23Format" TCP_Framing="octet-counted")""") as port:
        send(port, t, "user.warning", [f"{t} relayed by rsyslog {i}" for i in range(3)])
        rows = wait_for(meshscope_server, f"service_name = '{t}'", 3, "body, severity_text", timeout=15)
    assert rows == [{"body": f"{t} relayed by rsyslog {i}", "severity_text": "WARN"} for i in range(3)]


def test_trace_id_written_in_the_line_links_it(meshscope_server: ServerProcess) -> None:
    t, now = tag(), time.time_ns()
    tid = "4bf92f3577b34da6a3ce929d0e0e4736"
    values = [[str(now), f"GET /a trace_id={tid} took=3ms"], [str(now + 1), f'{{"msg":"x","traceId":"{tid.upper()}"}}'],
              [str(now + 2), "no trace here"]]
    r = httpx.post(f"{meshscope_server.http_url}/loki/api/v1/push",
                   json={"streams": [{"stream": {"app": t}, "values": values}]})
    assert r.status_code == 204
    rows = lines_of(meshscope_server, f"service_name = '{t}'", "trace_id")
    assert [row["trace_id"] for row in rows] == [tid, tid, ""]


def test_level_written_in_the_line_sets_severity(meshscope_server: ServerProcess) -> None:
    t, now = tag(), time.time_ns()
    values = [[str(now), "ts=1 level=warn msg=slow"], [str(now + 1), '{"level":"error","msg":"boom"}'],
              [str(now + 2), "INFO  [main] c.s.App - started"], [str(now + 3), "nothing to see"]]
    r = httpx.post(f"{meshscope_server.http_url}/loki/api/v1/push",
                   json={"streams": [{"stream": {"app": t}, "values": values}]})
    assert r.status_code == 204
    rows = lines_of(meshscope_server, f"service_name = '{t}'", "severity_text, severity_number")
    assert [(row["severity_text"], row["severity_number"]) for row in rows] == [
        ("WARN", 13), ("ERROR", 17), ("INFO", 9), ("", 0)]
