"""Loki's query API on a real server fed by the OpenTelemetry SDK: the calls Grafana makes, and tail."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from support.otel import Telemetry
from support.server import ServerProcess

V1 = "/loki/api/v1"


@pytest.fixture(scope="module")
def fed(meshscope_server: ServerProcess) -> Iterator[tuple[ServerProcess, Telemetry, str, str]]:
    """Six lines of one service (two inside a span) acknowledged before the tests query them."""
    service = f"shop-{uuid.uuid4().hex[:6]}"
    t = Telemetry(meshscope_server, service, "http")
    with t.tracer.start_as_current_span("checkout") as span:
        trace_id = format(span.get_span_context().trace_id, "032x")
        t.logger.error("payment declined order=1 amount=12.50")
        t.logger.warning("retrying order=1 attempt=2")
    for i in range(2, 6):
        t.logger.info("order=%d shipped took=%dms", i, i * 100)
    t.flush()
    yield meshscope_server, t, service, trace_id
    t.shutdown()


def get(server: ServerProcess, path: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{server.http_url}{V1}{path}", params=params, timeout=30)


def window() -> dict[str, str]:
    now = time.time_ns()
    return {"start": str(now - 600 * 10**9), "end": str(now + 10**9)}


def lines_of(body: dict[str, Any]) -> list[str]:
    return [line for s in body["data"]["result"] for _, line in s["values"]]


def test_grafana_health_check(meshscope_server: ServerProcess) -> None:
    r = get(meshscope_server, "/query", query="vector(1)+vector(1)", time=str(time.time_ns()))
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "success" and body["data"]["resultType"] == "vector"
    assert body["data"]["result"][0]["value"][1] == "2"
    info = get(meshscope_server, "/status/buildinfo").json()
    assert info["version"].startswith("3.") and set(info) >= {"revision", "branch", "goVersion"}


def test_query_range_streams(fed: tuple[ServerProcess, Telemetry, str, str]) -> None:
    server, _, service, _ = fed
    r = get(server, "/query_range", query=f'{{service_name="{service}"}} |= "order="', limit=3, **window())
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "success" and body["data"]["resultType"] == "streams"
    assert lines_of(body) == ["order=5 shipped took=500ms", "order=4 shipped took=400ms", "order=3 shipped took=300ms"]
    stream = body["data"]["result"][0]["stream"]
    assert stream["service_name"] == service and stream["deployment_environment"] == "test"
    summary = body["data"]["stats"]["summary"]
    assert summary["totalEntriesReturned"] == 3 and "execTime" in summary and "totalBytesProcessed" in summary
    values = body["data"]["result"][0]["values"]
    assert all(isinstance(ts, str) and ts.isdigit() and len(ts) == 19 for ts, _ in values)

    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    r = get(
        server,
        "/query_range",
        query=f'{{service_name="{service}"}} | logfmt | took > 250ms',
        direction="forward",
        start=start.strftime("%Y-%m-%dT%H:%M:%S.123456789Z"),
        end=f"{time.time() + 1:.3f}",
    )
    assert lines_of(r.json()) == [
        "order=3 shipped took=300ms",
        "order=4 shipped took=400ms",
        "order=5 shipped took=500ms",
    ]
    assert r.json()["data"]["result"][0]["stream"]["took"] == "300ms"


def test_structured_metadata_and_trace_ids(fed: tuple[ServerProcess, Telemetry, str, str]) -> None:
    server, _, service, trace_id = fed
    r = get(server, "/query_range", query=f'{{service_name="{service}"}} | trace_id="{trace_id}"', **window())
    assert sorted(lines_of(r.json())) == ["payment declined order=1 amount=12.50", "retrying order=1 attempt=2"]


def test_query_range_matrix_and_steps(fed: tuple[ServerProcess, Telemetry, str, str]) -> None:
    server, _, service, _ = fed
    q = f'sum by (service_name) (count_over_time({{service_name="{service}"}}[10m]))'
    now = time.time_ns()
    for step in ("1m0s", "60", "60000ms"):
        r = get(server, "/query_range", query=q, start=str(now), end=str(now + 120 * 10**9), step=step)
        assert r.status_code == 200, r.text
        result = r.json()["data"]["result"]
        assert r.json()["data"]["resultType"] == "matrix"
        assert result[0]["metric"] == {"service_name": service}
        assert len(result[0]["values"]) == 3 and result[0]["values"][-1][1] == "6"
    volume = f'sum by (level) (count_over_time({{service_name="{service}"}} | logfmt | drop __error__[10m]))'
    r = get(server, "/query_range", query=volume, start=str(now - 60 * 10**9), end=str(now), step="60s")
    assert [s["values"][-1][1] for s in r.json()["data"]["result"]] == ["6"]
    r = get(server, "/query", query=f'sum(rate({{service_name="{service}"}} |= "shipped" [10m])) * 600', time=str(now))
    assert r.json()["data"]["result"][0]["value"][1] == "4"


def test_post_form(fed: tuple[ServerProcess, Telemetry, str, str]) -> None:
    server, _, service, _ = fed
    r = httpx.post(
        f"{server.http_url}{V1}/query_range", data={"query": f'{{service_name="{service}"}}', "limit": "2", **window()}
    )
    assert r.status_code == 200 and len(lines_of(r.json())) == 2


def test_labels_series_stats_volume(fed: tuple[ServerProcess, Telemetry, str, str]) -> None:
    server, _, service, _ = fed
    labels = get(server, "/labels", **window()).json()
    assert labels["status"] == "success" and {"service_name", "deployment_environment"} <= set(labels["data"])
    values = get(server, "/label/service_name/values", **window()).json()["data"]
    assert service in values
    narrowed = get(server, "/label/service_name/values", query=f'{{service_name="{service}"}}').json()["data"]
    assert narrowed == [service]
    series = get(server, "/series", **{"match[]": f'{{service_name="{service}"}}'}, **window()).json()["data"]
    assert len(series) == 1 and series[0]["service_name"] == service
    stats = get(server, "/index/stats", query=f'{{service_name="{service}"}}', **window()).json()
    assert stats["streams"] == 1 and stats["entries"] == 6 and stats["bytes"] > 100 and stats["chunks"] >= 1
    whole_query = f'sum(count_over_time({{service_name="{service}"}} |= "x" [1m]))'  # Grafana sizes whole queries
    assert get(server, "/index/stats", query=whole_query, **window()).json() == stats
    vol = get(server, "/index/volume", query=f'{{service_name="{service}"}}', **window()).json()
    assert vol["data"]["resultType"] == "vector"
    assert vol["data"]["result"][0]["metric"] == {"service_name": service}
    assert int(vol["data"]["result"][0]["value"][1]) == stats["bytes"]
    vr = get(server, "/index/volume_range", query=f'{{service_name="{service}"}}', step="60s", **window()).json()
    assert vr["data"]["resultType"] == "matrix"
    assert sum(int(v) for _, v in vr["data"]["result"][0]["values"]) == stats["bytes"]


@pytest.mark.parametrize(
    "path,params,fragment",
    [
        ("/query_range", {"query": '{service_name="x"'}, "parse error at line 1, col 18"),
        ("/query_range", {"query": "sum(", "step": "abc"}, 'invalid parameter "step"'),
        ("/query_range", {"query": '{service_name="x"}', "start": "yesterday"}, 'invalid parameter "start"'),
        ("/query_range", {"query": '{service_name="x"}', "limit": "6000"}, "max entries limit"),
        ("/query_range", {"query": '{service_name="x"}', "direction": "up"}, 'invalid parameter "direction"'),
        ("/query", {"query": '{service_name="x"}'}, "not supported as an instant query"),
        ("/query", {}, "missing required parameter 'query'"),
    ],
)
def test_errors_are_400_with_the_message(
    meshscope_server: ServerProcess, path: str, params: dict[str, str], fragment: str
) -> None:
    r = get(meshscope_server, path, **params)
    assert r.status_code == 400
    assert fragment in r.json()["error"] and r.json()["message"] == r.json()["error"]


def test_tail_streams_new_lines(fed: tuple[ServerProcess, Telemetry, str, str]) -> None:
    server, t, service, _ = fed
    url = server.http_url.replace("http://", "ws://") + f"{V1}/tail"
    query = httpx.QueryParams(
        {
            "query": f'{{service_name="{service}"}} |= "order=" != "shipped"',
            "limit": "10",
            "start": str(time.time_ns() - 600 * 10**9),
        }
    )
    with connect(f"{url}?{query}", open_timeout=10) as ws:
        first = json.loads(ws.recv(timeout=10))
        assert sorted(v[1] for s in first["streams"] for v in s["values"]) == [
            "payment declined order=1 amount=12.50",
            "retrying order=1 attempt=2",
        ]
        assert first["dropped_entries"] is None
        t.logger.error("order=9 lost")
        t.logger.info("order=10 shipped")
        t.flush()
        later = json.loads(ws.recv(timeout=10))
        assert [v[1] for s in later["streams"] for v in s["values"]] == ["order=9 lost"]
        with pytest.raises(TimeoutError):
            ws.recv(timeout=2.5)  # nothing is sent twice


def test_tail_rejects_a_bad_query(meshscope_server: ServerProcess) -> None:
    url = meshscope_server.http_url.replace("http://", "ws://") + f"{V1}/tail?query=%7Bbroken"
    with connect(url, open_timeout=10) as ws, pytest.raises(Exception) as info:
        ws.recv(timeout=10)
    assert "parse error" in str(info.value)


def test_categorized_labels_for_grafana(fed: tuple[ServerProcess, Telemetry, str, str]) -> None:
    server, _, service, trace_id = fed
    r = httpx.get(f"{server.http_url}{V1}/query_range", timeout=30,
                  headers={"X-Loki-Response-Encoding-Flags": "categorize-labels"},
                  params={"query": f'{{service_name="{service}"}} |= "declined" | logfmt', **window()})
    data = r.json()["data"]
    assert data["encodingFlags"] == ["categorize-labels"]
    [stream] = data["result"]
    assert "order" not in stream["stream"] and stream["stream"]["service_name"] == service
    [[_, line, extra]] = stream["values"]
    assert line == "payment declined order=1 amount=12.50"
    assert extra["parsed"] == {"order": "1", "amount": "12.50"}
    assert extra["structuredMetadata"]["trace_id"] == trace_id
    assert extra["structuredMetadata"]["detected_level"] == "error"
