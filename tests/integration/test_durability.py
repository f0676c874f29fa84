"""Accepted data survives restarts and crashes; a full write path says so instead of dropping data."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from support.otlp_bodies import spans_request
from support.server import ServerProcess

PB = {"content-type": "application/x-protobuf"}


def count(server: ServerProcess, service_prefix: str) -> int:
    q = f"SELECT count() AS n FROM meshscope.spans WHERE startsWith(service_name, '{service_prefix}')"
    return int(httpx.get(f"{server.http_url}/api/ms/sql", params={"query": q}, timeout=30).json()["data"][0]["n"])


def test_data_survives_restart(server_factory, tmp_path) -> None:
    server = server_factory(tmp_path / "data").start()
    service = f"restart-{uuid.uuid4().hex[:6]}"
    r = httpx.post(f"{server.otlp_http_url}/v1/traces", content=spans_request(service, 30).SerializeToString(),
                   headers=PB)
    assert r.status_code == 200
    assert server.stop() == 0  # SIGTERM: clean exit
    server.start()
    assert count(server, service) == 30
    assert service in server.get("/api/services").json()["data"]


def _send_until_acknowledged(server: ServerProcess, body: bytes, stop: threading.Event) -> int:
    """What a well-behaved OTLP client does: retry on connection errors, 429 and 503."""
    attempts = 0
    while not stop.is_set():
        attempts += 1
        try:
            r = httpx.post(f"{server.otlp_http_url}/v1/traces", content=body, headers=PB, timeout=10)
        except httpx.HTTPError:
            time.sleep(0.2)
            continue
        if r.status_code == 200:
            return attempts
        assert r.status_code in (429, 503), r.text
        time.sleep(float(r.headers.get("retry-after", "1")) / 4)
    return attempts


def test_sigkill_during_ingest_loses_and_doubles_nothing(server_factory, tmp_path) -> None:
    server = server_factory(tmp_path / "data").start()
    prefix = f"crash-{uuid.uuid4().hex[:6]}"
    bodies = [spans_request(f"{prefix}-{i}", 200).SerializeToString() for i in range(60)]
    stop = threading.Event()

    def killer() -> None:
        for _ in range(2):
            time.sleep(1.0)
            server.kill()
            server.start()

    k = threading.Thread(target=killer)
    k.start()
    with ThreadPoolExecutor(4) as pool:
        attempts = list(pool.map(lambda b: _send_until_acknowledged(server, b, stop), bodies))
    k.join()
    assert count(server, prefix) == 60 * 200
    assert sum(attempts) >= 60


def test_full_write_path_answers_429_with_retry_after(server_factory, tmp_path) -> None:
    server = server_factory(tmp_path / "data", env_overrides={
        "MESHSCOPE_INGEST__QUEUE_MAX_ROWS": "10", "MESHSCOPE_INGEST__FLUSH_INTERVAL": "3"}).start()
    prime = spans_request(f"q0-{uuid.uuid4().hex[:6]}", 1).SerializeToString()
    assert httpx.post(f"{server.otlp_http_url}/v1/traces", content=prime, headers=PB).status_code == 200
    first = spans_request(f"q1-{uuid.uuid4().hex[:6]}", 8).SerializeToString()  # waits up to 3 s for company
    second = spans_request(f"q2-{uuid.uuid4().hex[:6]}", 8).SerializeToString()
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(httpx.post, f"{server.otlp_http_url}/v1/traces", content=first, headers=PB, timeout=30)
        time.sleep(0.5)
        r = httpx.post(f"{server.otlp_http_url}/v1/traces", content=second, headers=PB, timeout=30)
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) >= 1
        assert pending.result().status_code == 200
    r = httpx.post(f"{server.otlp_http_url}/v1/traces", content=second, headers=PB, timeout=30)
    assert r.status_code == 200
    assert count(server, "q1-") == 8 and count(server, "q2-") == 8


def test_self_metrics(server_factory, tmp_path) -> None:
    server = server_factory(tmp_path / "data").start()
    httpx.post(f"{server.otlp_http_url}/v1/traces", content=spans_request("m", 3).SerializeToString(), headers=PB)
    text = server.get("/metrics").text
    assert 'meshscope_ingest_accepted_items_total{protocol="otlp_http",signal="traces"} 3.0' in text
    assert 'meshscope_write_queue_rows{table="spans"}' in text
    assert 'meshscope_storage_active_parts{table="spans"}' in text
    assert "meshscope_storage_insert_duration_seconds_count" in text
