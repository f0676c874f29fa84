"""remote_write through the per-series path (schema 005): known series skip the label work, new
series and exemplars take step two, accepted counts are exact, the known set survives restarts."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from meshscope.decode.prometheus.prompb import WriteRequest
from meshscope.storage.series_ingest import STEPS_AFTER_MISS
from support.prom import post_write, sql, write_request
from support.server import ServerProcess

DAY_MS = 86_400_000
NOW = int(time.time() * 1000) // 1000 * 1000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    s = ServerProcess(tmp_path_factory.mktemp("rws") / "data").start()
    yield s
    s.stop()


def accepted(server: ServerProcess) -> float:
    text = server.get("/metrics").text
    m = re.search(r'^meshscope_ingest_accepted_items_total\{protocol="remote_write",signal="metrics"\} (\S+)$',
                  text, re.M)
    return float(m.group(1)) if m else 0.0


def stepped(server: ServerProcess) -> int:
    """Batches that went through the steps (each records an attempt)."""
    rows = sql(server.http_url, "SELECT uniqExact(attempt) AS n FROM meshscope.series_ingest_attempts")
    return int(rows[0]["n"])  # type: ignore[arg-type]


def series_rows(server: ServerProcess, name: str) -> list[dict[str, object]]:
    """Rows as written (no FINAL): a known series must not be written again."""
    return sql(server.http_url, f"SELECT fingerprint, day, labels FROM meshscope.metric_series "
                                f"WHERE metric_name = '{name}' ORDER BY day")


def samples(server: ServerProcess, name: str) -> list[dict[str, object]]:
    return sql(server.http_url, f"SELECT fingerprint, timestamp, value FROM meshscope.metric_samples FINAL "
                                f"WHERE metric_name = '{name}' ORDER BY fingerprint, timestamp")


def test_accepted_counts_are_exact(server: ServerProcess) -> None:
    name = f"rws_count_{uuid.uuid4().hex[:6]}"
    before = accepted(server)
    # 3 series × 7 samples with long labels, then 40 one-sample series: far from any bytes-per-sample estimate
    body = write_request([([("__name__", name), ("i", str(i)), ("blob", "x" * 900)],
                           [(NOW - k * 1000, float(k)) for k in range(7)]) for i in range(3)])
    assert post_write(server.http_url, body).status_code == 204
    body = write_request([([("__name__", name), ("j", str(j))], [(NOW, 1.0)]) for j in range(40)])
    assert post_write(server.http_url, body).status_code == 204
    assert accepted(server) - before == 21 + 40
    assert len(samples(server, name)) == 61


def test_a_steady_stream_of_known_series_is_stored_and_counted_exactly(server: ServerProcess) -> None:
    """After a batch with new series, later batches of only known ones take the fast path."""
    name = f"rws_steady_{uuid.uuid4().hex[:6]}"
    series = [[("__name__", name), ("pod", f"p{i}")] for i in range(20)]
    before, attempts = accepted(server), stepped(server)
    for n in range(STEPS_AFTER_MISS + 4):
        body = write_request([(labels, [(NOW - 60_000 + n * 1000, float(n))]) for labels in series])
        assert post_write(server.http_url, body).status_code == 204
    assert accepted(server) - before == 20 * (STEPS_AFTER_MISS + 4)
    assert stepped(server) - attempts <= STEPS_AFTER_MISS + 1  # the last batches did not need the steps
    rows = samples(server, name)
    assert len(rows) == 20 * (STEPS_AFTER_MISS + 4)
    assert len(series_rows(server, name)) == 20
    assert {r["fingerprint"] for r in rows} == {r["fingerprint"] for r in series_rows(server, name)}


def test_known_series_are_not_rewritten_and_unsorted_labels_are_one_series(server: ServerProcess) -> None:
    name = f"rws_known_{uuid.uuid4().hex[:6]}"
    unsorted = [("job", "a"), ("__name__", name), ("empty", ""), ("instance", "h:1")]
    canonical = [("__name__", name), ("instance", "h:1"), ("job", "a")]
    assert post_write(server.http_url, write_request([(unsorted, [(NOW - 30_000, 1.0)])])).status_code == 204
    for n in range(3):
        body = write_request([(canonical, [(NOW - 20_000 + n * 5000, 2.0 + n)])])
        assert post_write(server.http_url, body).status_code == 204
    rows = samples(server, name)
    assert len(rows) == 4 and len({r["fingerprint"] for r in rows}) == 1
    written = series_rows(server, name)
    # the unsorted first write could not be recognised as known, so the canonical one wrote its row once more
    assert 1 <= len(written) <= 2
    assert {r["fingerprint"] for r in written} == {rows[0]["fingerprint"]}
    assert written[0]["labels"] == {"instance": "h:1", "job": "a"}
    before = len(written)
    body = write_request([(canonical, [(NOW, 9.0)])])
    assert post_write(server.http_url, body).status_code == 204
    assert len(series_rows(server, name)) == before


def test_a_series_gets_a_row_for_each_day_it_has_samples(server: ServerProcess) -> None:
    name = f"rws_days_{uuid.uuid4().hex[:6]}"
    labels = [("__name__", name), ("job", "d")]
    assert post_write(server.http_url, write_request([(labels, [(NOW, 1.0)])])).status_code == 204
    body = write_request([(labels, [(NOW - 3 * DAY_MS, 0.5), (NOW + 1000, 2.0)])])  # backfill + today, one series
    assert post_write(server.http_url, body).status_code == 204
    days = [r["day"] for r in series_rows(server, name)]
    assert len(set(days)) == 2
    assert len(samples(server, name)) == 3


def test_exemplars_of_known_and_new_series_are_stored(server: ServerProcess) -> None:
    name = f"rws_ex_{uuid.uuid4().hex[:6]}"
    known = [("__name__", name), ("job", "k")]
    assert post_write(server.http_url, write_request([(known, [(NOW - 15_000, 1.0)])])).status_code == 204
    req = WriteRequest()
    for job in ("k", "new"):
        ts = req.timeseries.add()
        for k, v in sorted([("__name__", name), ("job", job)]):
            ts.labels.add(name=k, value=v)
        ts.samples.add(value=2.0, timestamp=NOW)
        ex = ts.exemplars.add(value=0.7, timestamp=NOW - 10)
        ex.labels.add(name="trace_id", value=f"trace-{job}")
    assert post_write(server.http_url, req.SerializeToString()).status_code == 204
    rows = sql(server.http_url, f"SELECT trace_id, value, fingerprint FROM meshscope.exemplars FINAL "
                                f"WHERE metric_name = '{name}' ORDER BY trace_id")
    assert [(r["trace_id"], r["value"]) for r in rows] == [("trace-k", 0.7), ("trace-new", 0.7)]
    fps = {r["fingerprint"] for r in samples(server, name)}
    assert {r["fingerprint"] for r in rows} == fps and len(fps) == 2


def test_an_invalid_series_beside_known_ones_is_refused_with_its_reason(server: ServerProcess) -> None:
    name = f"rws_bad_{uuid.uuid4().hex[:6]}"
    good = [("__name__", name), ("job", "g")]
    assert post_write(server.http_url, write_request([(good, [(NOW - 15_000, 1.0)])])).status_code == 204
    body = write_request([(good, [(NOW, 2.0)]), ([("__name__", name), ("bad-label", "v")], [(NOW, 3.0)])])
    r = post_write(server.http_url, body)
    assert r.status_code == 400 and "invalid label name 'bad-label'" in r.text
    # nothing of the refused request, not even its known series (Prometheus rolls the request back)
    assert [(s["timestamp"], s["value"]) for s in samples(server, name)] == [(NOW - 15_000, 1.0)]


def test_known_series_stay_known_across_a_restart(tmp_path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        name = f"rws_restart_{uuid.uuid4().hex[:6]}"
        labels = [("__name__", name), ("job", "r")]
        assert post_write(server.http_url, write_request([(labels, [(NOW - 15_000, 1.0)])])).status_code == 204
        server.stop()
        server.start()
        before = accepted(server)
        assert post_write(server.http_url, write_request([(labels, [(NOW, 2.0)])])).status_code == 204
        assert accepted(server) - before == 1
        assert len(series_rows(server, name)) == 1  # refilled from metric_series, not written again
        assert len(samples(server, name)) == 2
    finally:
        server.stop()
