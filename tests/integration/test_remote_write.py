"""Prometheus remote_write into a real server: 204 when stored, 400 with a reason for bad data."""

from __future__ import annotations

import struct
import time
import uuid

import pytest

from support.prom import post_write, sql, write_request
from support.server import ServerProcess

NOW = int(time.time() * 1000) // 1000 * 1000
STALE_BITS = 0x7FF0000000000002


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    s = ServerProcess(tmp_path_factory.mktemp("rw") / "data").start()
    yield s
    s.stop()


def count(server: ServerProcess, name: str) -> int:
    rows = sql(server.http_url, f"SELECT count() AS n FROM meshscope.metric_samples WHERE metric_name = '{name}'")
    return int(rows[0]["n"])  # type: ignore[arg-type]


def test_samples_are_stored_with_series_and_stale_markers(server: ServerProcess) -> None:
    name = f"rw_ok_{uuid.uuid4().hex[:6]}"
    stale = struct.unpack("<d", struct.pack("<Q", STALE_BITS))[0]
    body = write_request([
        ([("__name__", name), ("job", "a"), ("empty", "")], [(NOW - 30_000, 1.0), (NOW - 15_000, 2.0)]),
        ([("__name__", name), ("job", "b")], [(NOW - 15_000, 5.0), (NOW, stale)]),
    ])
    r = post_write(server.http_url, body)
    assert r.status_code == 204, r.text
    assert count(server, name) == 4
    series = sql(server.http_url, f"SELECT labels FROM meshscope.metric_series WHERE metric_name = '{name}' "
                                  "ORDER BY labels['job']")
    assert [s["labels"] for s in series] == [{"job": "a"}, {"job": "b"}]
    bits = sql(server.http_url, "SELECT reinterpretAsUInt64(value) AS b FROM meshscope.metric_samples "
                                f"WHERE metric_name = '{name}' AND timestamp = {NOW}")
    assert bits == [{"b": STALE_BITS}]


def test_duplicates_and_out_of_order_resolve_to_one_sample(server: ServerProcess) -> None:
    name = f"rw_dup_{uuid.uuid4().hex[:6]}"
    labels = [("__name__", name), ("job", "x")]
    for samples in ([(NOW, 1.0)], [(NOW - 60_000, 0.5)], [(NOW, 3.0)]):
        assert post_write(server.http_url, write_request([(labels, samples)])).status_code == 204
    rows = sql(server.http_url, f"SELECT timestamp, value FROM meshscope.metric_samples FINAL "
                                f"WHERE metric_name = '{name}' ORDER BY timestamp")
    assert rows == [{"timestamp": NOW - 60_000, "value": 0.5}, {"timestamp": NOW, "value": 3.0}]


@pytest.mark.parametrize("case, body, compress, words", [
    ("broken snappy", b"\xff\x00garbage", False, "not snappy"),
    ("bad protobuf", b"\x0a\xff\xff\xff\x0fbroken", True, "WriteRequest"),
    ("invalid label name", write_request([([("__name__", "m"), ("bad-name", "v")], [(NOW, 1.0)])]), True,
     "invalid label name 'bad-name'"),
    ("no metric name", write_request([([("job", "x")], [(NOW, 1.0)])]), True, "no metric name"),
    ("invalid metric name", write_request([([("__name__", "1abc")], [(NOW, 1.0)])]), True,
     "invalid metric name"),
    ("duplicate label", write_request([([("__name__", "m"), ("a", "1"), ("a", "2")], [(NOW, 1.0)])]), True,
     "duplicate label name 'a'"),
])
def test_bad_requests_are_400_with_a_reason(server: ServerProcess, case: str, body: bytes, compress: bool,
                                            words: str) -> None:
    before = count(server, "m")
    r = post_write(server.http_url, body, compress)
    assert r.status_code == 400, (case, r.status_code, r.text)
    assert words in r.text, (case, r.text)
    assert count(server, "m") == before


def test_a_bad_request_does_not_spoil_concurrent_good_ones(server: ServerProcess) -> None:
    from concurrent.futures import ThreadPoolExecutor

    name = f"rw_mix_{uuid.uuid4().hex[:6]}"
    good = [write_request([([("__name__", name), ("i", str(i))], [(NOW, float(i))])]) for i in range(8)]
    bad = write_request([([("__name__", name), ("0bad", "v")], [(NOW, 1.0)])])
    with ThreadPoolExecutor(9) as pool:
        codes = list(pool.map(lambda b: post_write(server.http_url, b).status_code, good + [bad]))
    assert codes == [204] * 8 + [400]
    assert count(server, name) == 8




def test_huge_label_values_and_unicode_are_stored_intact(server: ServerProcess) -> None:
    name = f"rw_big_{uuid.uuid4().hex[:6]}"
    big = "x" * 100_000 + "ü€"
    body = write_request([([("__name__", name), ("blob", big)], [(NOW, 1.0)])])
    assert post_write(server.http_url, body).status_code == 204
    r = server.get("/api/v1/series", **{"match[]": name})
    assert r.json()["data"] == [{"__name__": name, "blob": big}]
