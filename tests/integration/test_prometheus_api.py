"""The Prometheus HTTP API over remote-written data: envelope, result types, lookups, errors."""

from __future__ import annotations

import time

import httpx
import pytest

from support.prom import post_write, write_request
from support.server import ServerProcess

NOW = int(time.time()) * 1000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    s = ServerProcess(tmp_path_factory.mktemp("promapi") / "data").start()
    body = write_request([([("__name__", "req_total"), ("job", "api"), ("code", code)],
                           [(NOW - 60_000 + i * 15_000, float(i * 10 * mult)) for i in range(5)])
                          for code, mult in (("200", 1), ("500", 2))])
    assert post_write(s.http_url, body).status_code == 204
    yield s
    s.stop()


def data(r: httpx.Response) -> object:
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["status"] == "success"
    return doc["data"]


def test_grafana_health_check(server: ServerProcess) -> None:
    d = data(server.get("/api/v1/query", query="1+1", time=NOW / 1000))
    assert d == {"resultType": "scalar", "result": [NOW / 1000, "2"]}


def test_instant_and_range_queries_get_and_post(server: ServerProcess) -> None:
    d = data(server.get("/api/v1/query", query="sum by (code) (increase(req_total[1m]))", time=NOW / 1000))
    assert {r["metric"]["code"]: r["value"][1] for r in d["result"]} == {"200": "40", "500": "80"}
    r = httpx.post(f"{server.http_url}/api/v1/query_range",
                   data={"query": "sum(req_total)", "start": str((NOW - 60_000) / 1000), "end": str(NOW / 1000),
                         "step": "15s"})
    d = data(r)
    assert d["resultType"] == "matrix"
    assert d["result"][0]["values"] == [[(NOW - 60_000 + i * 15_000) / 1000, str(i * 30)] for i in range(5)]


def test_series_labels_and_values(server: ServerProcess) -> None:
    assert data(server.get("/api/v1/series", **{"match[]": 'req_total{code="500"}'})) == [
        {"__name__": "req_total", "code": "500", "job": "api"}]
    assert {"__name__", "code", "job"} <= set(data(server.get("/api/v1/labels")))  # type: ignore[arg-type]
    assert data(server.get("/api/v1/label/code/values", **{"match[]": "req_total"})) == ["200", "500"]
    assert "req_total" in data(server.get("/api/v1/label/__name__/values"))  # type: ignore[operator]
    old = (NOW - 40 * 86400_000) / 1000
    assert data(server.get("/api/v1/series", **{"match[]": "req_total", "start": old, "end": old + 60})) == []


def test_format_query_and_buildinfo(server: ServerProcess) -> None:
    assert data(server.get("/api/v1/format_query", query="sum(rate(x[5m]))by(a)")) == "sum by (a) (rate(x[5m]))"
    assert data(server.get("/api/v1/status/buildinfo"))["version"].startswith("2.")  # type: ignore[index]


@pytest.mark.parametrize("path, params, status, words", [
    ("/api/v1/query", {"query": "sum(rate(x[5m]"}, 400, "parse error"),
    ("/api/v1/query", {"query": "nosuchfn(x)"}, 400, "unknown function"),
    ("/api/v1/query", {"query": "rate(x[5m], 1)"}, 400, "expected 1 argument"),
    ("/api/v1/query", {"query": "1", "time": "yesterday"}, 400, 'invalid parameter "time"'),
    ("/api/v1/query_range", {"query": "1", "start": "0", "end": "100", "step": "0"}, 400, "step"),
    ("/api/v1/query_range", {"query": "1", "start": "0", "end": "100000", "step": "1"}, 400, "11,000 points"),
    ("/api/v1/series", {}, 400, "no match[] parameter provided"),
    ("/api/v1/label/bad-name/values", {}, 400, "invalid label name"),
])
def test_errors_use_the_envelope(server: ServerProcess, path: str, params: dict[str, str], status: int,
                                 words: str) -> None:
    r = server.get(path, **params)
    assert r.status_code == status, r.text
    doc = r.json()
    assert doc["status"] == "error" and doc["errorType"] == "bad_data"
    assert words in doc["error"], doc["error"]
