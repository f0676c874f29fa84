"""The embedded store keeps decompressed blocks for reads of few rows: a repeated search is served
from memory (ClickHouse's own hit counter says so), and the setting turns it off."""

from __future__ import annotations

import time

import httpx

from support.server import ServerProcess

NOW = time.time_ns()


def _sql(server: ServerProcess, query: str) -> list[dict[str, object]]:
    r = httpx.get(f"{server.http_url}/api/ms/sql", params={"query": query}, timeout=30)
    r.raise_for_status()
    return r.json()["data"]  # type: ignore[no-any-return]


def _hits(server: ServerProcess) -> int:
    rows = _sql(server, "SELECT toUInt64(sum(value)) AS n FROM system.events WHERE event = 'UncompressedCacheHits'")
    return int(rows[0]["n"]) if rows else 0  # type: ignore[call-overload]


def _search_twice(server: ServerProcess) -> None:
    values = [[str(NOW - i * 1_000_000), f"line {i} level=info user={i % 97}"] for i in range(3000)]
    values.append([str(NOW), "checkout failed for order ord_77 [raretok42]"])
    r = httpx.post(f"{server.http_url}/loki/api/v1/push", json={"streams": [{"stream": {"app": "shop"},
                                                                          "values": values}]}, timeout=30)
    assert r.status_code == 204
    for _ in range(2):
        r = httpx.get(f"{server.http_url}/loki/api/v1/query_range", timeout=30, params={
            "query": '{app="shop"} |= "[raretok42]"', "start": str(NOW - 10**10), "end": str(NOW + 10**9)})
        lines = [v[1] for s in r.json()["data"]["result"] for v in s["values"]]
        assert lines == ["checkout failed for order ord_77 [raretok42]"]


def test_repeated_search_reads_blocks_from_memory(server_factory, tmp_path) -> None:
    server = server_factory(tmp_path / "data").start()
    size = _sql(server, "SELECT value FROM system.server_settings WHERE name = 'uncompressed_cache_size'")
    assert size == [{"value": str(256 << 20)}]
    used = _sql(server, "SELECT value FROM system.settings WHERE name = 'use_uncompressed_cache'")
    assert used == [{"value": "1"}]
    before = _hits(server)
    _search_twice(server)
    assert _hits(server) > before


def test_cache_off(server_factory, tmp_path) -> None:
    server = server_factory(tmp_path / "data", env_overrides={"MESHSCOPE_STORAGE__UNCOMPRESSED_CACHE_MB": "0"}).start()
    _search_twice(server)
    assert _hits(server) == 0
    assert _sql(server, "SELECT value FROM system.settings WHERE name = 'use_uncompressed_cache'") == [{"value": "0"}]
