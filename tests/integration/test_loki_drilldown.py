"""Grafana Logs Drilldown's Loki calls on a real server fed through Loki push: wire shapes and answers.

Lines of one fresh service: logfmt and JSON lines with structured metadata, in two ``env`` streams.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from support.server import ServerProcess

V1 = "/loki/api/v1"
S = 10**9
LOGFMT = [f"level=info msg=\"served\" status={200 if i % 3 else 500} took={10 + i}ms user=u{i % 2}" for i in range(9)]
JSON = ['{"level":"error","msg":"payment failed","amount":12.5,"retry":true}',
        '{"level":"error","msg":"payment failed","amount":3,"retry":false}']


@pytest.fixture(scope="module")
def fed(meshscope_server: ServerProcess) -> Iterator[tuple[ServerProcess, str, int]]:
    app, now = f"shop-{uuid.uuid4().hex[:6]}", time.time_ns() - 60 * S
    prod = [[str(now + i * S), line, {"tenant_id": f"t{i % 3}"}] for i, line in enumerate(LOGFMT)]
    dev = [[str(now + (20 + i) * S), line] for i, line in enumerate(JSON)]
    r = httpx.post(f"{meshscope_server.http_url}{V1}/push", json={"streams": [
        {"stream": {"app": app, "env": "prod", "region": "eu"}, "values": prod},
        {"stream": {"app": app, "env": "dev", "region": "eu"}, "values": dev}]}, timeout=30)
    assert r.status_code == 204
    yield meshscope_server, app, now


def get(server: ServerProcess, path: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{server.http_url}{V1}{path}", params=params, timeout=30)


def window(now: int) -> dict[str, str]:
    return {"start": str(now - 60 * S), "end": str(now + 120 * S)}


def test_detected_fields_shape_and_types(fed: tuple[ServerProcess, str, int]) -> None:
    server, app, now = fed
    r = get(server, "/detected_fields", query=f'{{service_name="{app}"}}', **window(now))
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"fields", "limit"} and body["limit"] == 1000
    fields = {f["label"]: f for f in body["fields"]}
    assert all(set(f) == {"label", "type", "cardinality", "parsers"} for f in body["fields"])
    assert fields["status"] == {"label": "status", "type": "int", "cardinality": 2, "parsers": ["logfmt"]}
    assert fields["took"]["type"] == "duration" and fields["took"]["cardinality"] == 9
    assert fields["user"] == {"label": "user", "type": "string", "cardinality": 2, "parsers": ["logfmt"]}
    # the type is that of the newest value (3): an int, though an older line has 12.5
    assert fields["amount"] == {"label": "amount", "type": "int", "cardinality": 2, "parsers": ["json"]}
    assert fields["retry"]["type"] == "boolean"
    assert fields["level"]["parsers"] == ["json", "logfmt"] and fields["level"]["cardinality"] == 2
    assert fields["tenant_id"] == {"label": "tenant_id", "type": "string", "cardinality": 3, "parsers": None}
    assert "env" not in fields and "service_name" not in fields  # stream labels are not fields


def test_detected_fields_honour_limits(fed: tuple[ServerProcess, str, int]) -> None:
    server, app, now = fed
    body = get(server, "/detected_fields", query=f'{{service_name="{app}"}}', limit="2", line_limit="2",
               **window(now)).json()
    assert body["limit"] == 2 and len(body["fields"]) == 2
    assert get(server, "/detected_fields", query="{", **window(now)).status_code == 400
    assert get(server, "/detected_fields", **window(now)).status_code == 400


def test_detected_field_values(fed: tuple[ServerProcess, str, int]) -> None:
    server, app, now = fed
    r = get(server, "/detected_field/status/values", query=f'{{service_name="{app}"}}', **window(now))
    assert r.status_code == 200 and r.json() == {"values": ["200", "500"], "limit": 1000}
    r = get(server, "/detected_field/nope/values", query=f'{{service_name="{app}"}}', **window(now))
    assert r.json() == {"values": [], "limit": 1000}


def test_detected_labels(fed: tuple[ServerProcess, str, int]) -> None:
    server, app, now = fed
    body = get(server, "/detected_labels", query=f'{{service_name="{app}"}}', **window(now)).json()
    assert set(body) == {"detectedLabels"}
    found = {d["label"]: d["cardinality"] for d in body["detectedLabels"]}
    assert found["env"] == 2 and found["service_name"] == 1  # static labels stay even with one value
    assert "region" not in found  # one value, not a static label: nothing to drill into


def test_patterns_count_lines_per_template_and_filter_back(fed: tuple[ServerProcess, str, int]) -> None:
    server, app, now = fed
    r = get(server, "/patterns", query=f'{{service_name="{app}"}}', step="10s", **window(now))
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "success"
    assert all(set(p) == {"pattern", "level", "samples"} for p in body["data"])
    by_pattern = {p["pattern"]: p for p in body["data"]}
    assert sum(n for p in body["data"] for _, n in p["samples"]) == len(LOGFMT) + len(JSON)
    for p in body["data"]:
        assert all(isinstance(t, int) and isinstance(n, int) and t % 10 == (now // S - 60) % 10
                   for t, n in p["samples"])
        lines = httpx.get(f"{server.http_url}{V1}/query_range", timeout=30, params={
            "query": f'{{service_name="{app}"}} |> {json.dumps(p["pattern"])}', "limit": "100",
            **window(now)}).json()
        found = sum(len(s["values"]) for s in lines["data"]["result"])
        assert found >= sum(n for _, n in p["samples"]), p["pattern"]  # each template matches its lines
    assert len(by_pattern) <= 3


def test_format_query(meshscope_server: ServerProcess) -> None:
    r = get(meshscope_server, "/format_query", query='sum by(app)(rate({app="x"}|="y"[1m]))')
    assert r.json() == {"status": "success", "data": 'sum by (app) (rate({app="x"} |= "y" [1m]))'}
    bad = get(meshscope_server, "/format_query", query='{app="x"} |= ')
    assert bad.status_code == 400 and "line 1, col 14" in bad.json()["error"]
