"""What arrives is processed as configured: stack traces as single records, no secret in the
store, parsed fields and severities, Kubernetes labels, host metrics with node_exporter names."""

from __future__ import annotations

import time

import pytest

from support.agent import AgentProcess, sql

JAVA = """2024-05-01 10:00:00 ERROR payment failed for order 42
java.lang.IllegalStateException: card declined
\tat com.shop.Payments.charge(Payments.java:88)
\tat com.shop.Orders.place(Orders.java:42)
Caused by: java.net.SocketTimeoutException: read timed out
\tat java.net.SocketInputStream.read(SocketInputStream.java:150)
\t... 12 more
2024-05-01 10:00:01 INFO order 43 placed
"""

PYTHON = """2024-05-01 10:00:00 INFO starting worker
Traceback (most recent call last):
  File "/app/worker.py", line 12, in run
    process(job)
  File "/app/worker.py", line 30, in process
    raise ValueError("bad job")
ValueError: bad job
2024-05-01 10:00:02 INFO worker done
"""

SECRETS = ["alice@example.com", "4111 1111 1111 1111", "5500-0000-0000-0004", "sk_live_abcdef123456",
           "eyJhbGciOiJIUzI1NiJ9.payload.sig", "hunter2-password"]
CONTAINER = "/var/log/containers/cart-7d9f_shop_cart-api-" + "c" * 64 + ".log"


@pytest.fixture(scope="module")
def shipped(meshscope_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("agent-processing")
    logs = root / "logs"
    (logs / "containers").mkdir(parents=True)
    (logs / "java.log").write_text(JAVA)
    (logs / "python.log").write_text(PYTHON)
    (logs / "secrets.log").write_text(
        f"user {SECRETS[0]} paid with {SECRETS[1]}\n"
        f"retry card {SECRETS[2]} key token={SECRETS[3]}\n"
        f"Authorization: Bearer {SECRETS[4]}\n"
        f"login ok {SECRETS[5]}\n"
        "order 1234567890123 shipped\n")
    (logs / "app.json").write_text('{"message": "checkout done", "level": "warn", "user": "bob", "pw": "x"}\n'
                                   '{"message": "health", "level": "debug"}\n')
    docker = logs / "containers" / CONTAINER.rsplit("/", 1)[1]
    now = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())  # old timestamps would fall out of retention
    docker.write_text(f'{{"log":"partial begins ","stream":"stdout","time":"{now}.000000001Z"}}\n'
                      f'{{"log":"and ends\\n","stream":"stdout","time":"{now}.000000002Z"}}\n')
    config = {
        "files": {
            "java": {"paths": [str(logs / "java.log")], "read_from": "beginning", "service_name": "javasvc",
                     "multiline": {"preset": "java", "flush_timeout": "300ms"}},
            "python": {"paths": [str(logs / "python.log")], "read_from": "beginning",
                       "service_name": "pysvc", "multiline": {"preset": "python", "flush_timeout": "300ms"}},
            "secrets": {"paths": [str(logs / "secrets.log")], "read_from": "beginning",
                        "service_name": "secretsvc"},
            "json": {"paths": [str(logs / "app.json")], "read_from": "beginning", "service_name": "jsonsvc",
                     "parser": {"type": "json"}, "exclude_lines": [{"field": "body", "regex": "^health$"}],
                     "drop_fields": ["pw"], "rename_fields": {"user": "user.name"}},
            "containers": {"paths": [str(logs / "containers" / "*.log")], "read_from": "beginning",
                           "format": "auto"},
        },
        "redact": {"patterns": ["hunter2-\\w+"]},
        "host_metrics": {"enabled": True, "interval": "500ms"},
    }
    agent = AgentProcess(root / "agent", meshscope_server.otlp_http_url, config).start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        n = sql(meshscope_server, "SELECT count() AS n FROM meshscope.logs WHERE service_name IN "
                                  "('javasvc','pysvc','secretsvc','jsonsvc','cart-api')")[0]["n"]
        metrics = sql(meshscope_server, "SELECT count() AS n FROM meshscope.otel_metrics WHERE "
                                        "metric_name = 'node_load1'")[0]["n"]
        if int(n) >= 2 + 2 + 5 + 1 + 1 and int(metrics) >= 2:
            break
        time.sleep(0.5)
    yield meshscope_server
    agent.stop()


def _bodies(server, service: str) -> list[str]:
    rows = sql(server, f"SELECT body FROM meshscope.logs WHERE service_name = '{service}' ORDER BY timestamp")
    return [r["body"] for r in rows]


def test_java_trace_is_one_record(shipped) -> None:
    bodies = _bodies(shipped, "javasvc")
    assert len(bodies) == 2, bodies  # the error line with its trace, the next line
    trace = bodies[0]
    assert trace.startswith("2024-05-01 10:00:00 ERROR payment failed") and trace.count("\n") == 6
    assert "Caused by: java.net.SocketTimeoutException" in trace and trace.endswith("... 12 more")


def test_python_traceback_is_one_record(shipped) -> None:
    bodies = _bodies(shipped, "pysvc")
    assert len(bodies) == 2, bodies
    assert bodies[0].startswith("2024-05-01 10:00:00 INFO starting worker\nTraceback")
    assert bodies[0].endswith("ValueError: bad job") and bodies[0].count("\n") == 6


def test_no_secret_reaches_the_store(shipped) -> None:
    rows = sql(shipped, "SELECT body, toString(attributes) AS a FROM meshscope.logs WHERE service_name = 'secretsvc'")
    text = "\n".join(r["body"] + r["a"] for r in rows)
    assert len(rows) == 5 and text.count("[REDACTED]") >= 6
    for secret in SECRETS:
        assert secret not in text
    assert "1234567890123" in text  # not a card number (Luhn), left alone
    everywhere = sql(shipped, "SELECT count() AS n FROM meshscope.logs WHERE " + " OR ".join(
        f"position(body, '{s}') > 0" for s in SECRETS))[0]["n"]
    assert int(everywhere) == 0


def test_json_fields_severity_filters(shipped) -> None:
    rows = sql(shipped, "SELECT body, severity_text, severity_number, attributes FROM meshscope.logs "
                        "WHERE service_name = 'jsonsvc'")
    assert len(rows) == 1
    (row,) = rows
    assert (row["body"], row["severity_text"], int(row["severity_number"])) == ("checkout done", "warn", 13)
    assert row["attributes"] == {"user.name": "bob"}


def test_container_lines_joined_with_kubernetes_labels(shipped) -> None:
    rows = sql(shipped, "SELECT body, labels, attributes FROM meshscope.logs WHERE service_name = 'cart-api'")
    assert [r["body"] for r in rows] == ["partial begins and ends"]
    labels = rows[0]["labels"]
    assert labels["k8s_namespace_name"] == "shop" and labels["k8s_pod_name"] == "cart-7d9f"
    assert labels["k8s_container_name"] == "cart-api" and labels["host_name"] == "test-host"
    assert rows[0]["attributes"]["log.iostream"] == "stdout"


def test_host_metrics_arrive_with_node_exporter_names(shipped) -> None:
    rows = sql(shipped, "SELECT DISTINCT metric_name AS m FROM meshscope.otel_metrics "
                        "WHERE resource_attributes['host.name'] = 'test-host'")
    names = {r["m"] for r in rows}
    for name in ("node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_load1",
                 "node_filesystem_avail_bytes", "node_network_receive_bytes_total", "node_boot_time_seconds",
                 "node_procs_running", "node_uptime_seconds"):
        assert name in names
    cpu = sql(shipped, "SELECT metric_type, is_monotonic, attributes FROM meshscope.otel_metrics "
                       "WHERE metric_name = 'node_cpu_seconds_total' LIMIT 1")[0]
    assert cpu["metric_type"] == "sum" and cpu["is_monotonic"] in (True, 1) and "mode" in cpu["attributes"]


def test_host_metrics_are_queryable_with_promql(shipped) -> None:
    import httpx

    def query(q: str) -> list:
        r = httpx.get(f"{shipped.http_url}/api/v1/query", params={"query": q}, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()["data"]["result"]

    load = query('node_load1{job="node", instance="test-host"}')
    assert len(load) == 1 and float(load[0]["value"][1]) >= 0
    deadline = time.monotonic() + 60
    while not (rate := query('sum by (mode) (rate(node_cpu_seconds_total{instance="test-host"}[1m]))')):
        assert time.monotonic() < deadline, query('node_cpu_seconds_total{instance="test-host"}[1m]')[:2]
        time.sleep(1)
    assert {r["metric"]["mode"] for r in rate} >= {"user", "system", "idle"}
    assert query('node_filesystem_avail_bytes{instance="test-host", mountpoint="/"}')
