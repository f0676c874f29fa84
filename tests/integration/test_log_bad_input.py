"""Bad input at the log doors: the good part is stored, the bad part reported, nothing retryable is a 400."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid

import httpx

from support.log_reads import lines_of, wait_for
from support.server import ServerProcess


def tag() -> str:
    return "b" + uuid.uuid4().hex[:8]


def push(server: ServerProcess, streams: list[dict], **kw: object) -> httpx.Response:
    return httpx.post(f"{server.http_url}/loki/api/v1/push", content=json.dumps({"streams": streams}).encode(),
                      headers={"Content-Type": "application/json"}, timeout=60, **kw)  # type: ignore[arg-type]


def test_loki_bad_lines_among_good(meshscope_server: ServerProcess) -> None:
    t, now = tag(), time.time_ns()
    r = push(meshscope_server, [{"stream": {"app": t}, "values": [
        [str(now), "good one"], ["yesterday", "bad time"], [str(now), {"not": "a line"}],
        ["0", "missing time"], ["1000", "absurd past"], [str(now * 3), "absurd future"],
        [str(now + 1), "x" * (10 * 1024 * 1024)]]}])
    assert r.status_code == 400 and "2 of 7 lines refused" in r.text
    rows = lines_of(meshscope_server, f"service_name = '{t}'",
                    "left(body, 12) AS b, length(body) AS n, attributes, timestamp >= now() - 60 AS recent")
    by_body = {row["b"]: row for row in rows}
    assert set(by_body) == {"good one", "missing time", "absurd past", "absurd futur", "x" * 12}
    assert all(row["recent"] == 1 for row in rows)
    assert by_body["absurd past"]["attributes"] == {"original_timestamp": "1000"}
    assert by_body["missing time"]["attributes"] == {}
    assert by_body["x" * 12]["n"] == 1024 * 1024
    assert by_body["x" * 12]["attributes"] == {"meshscope.truncated_bytes": str(10 * 1024 * 1024)}


def test_invalid_utf8_is_replaced_not_refused(meshscope_server: ServerProcess) -> None:
    t = tag()
    body = b'{"streams": [{"stream": {"app": "' + t.encode() + b'"}, "values": [["' + \
        str(time.time_ns()).encode() + b'", "caf\xc3\xa9 \xff\xfe end"]]}]}'
    r = httpx.post(f"{meshscope_server.http_url}/loki/api/v1/push", content=body,
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 204, r.text
    bulk = b'{"index": {}}\n{"message": "' + t.encode() + b' \xc0 es", "service": "' + t.encode() + b'"}\n'
    r = httpx.post(f"{meshscope_server.http_url}/_bulk", content=bulk)
    assert r.status_code == 200 and r.json()["errors"] is False
    rows = lines_of(meshscope_server, f"service_name = '{t}'")
    assert sorted(r["body"] for r in rows) == sorted(["caf\u00e9 \ufffd\ufffd end", f"{t} \ufffd es"])


def test_bulk_with_a_bad_line_in_the_middle(meshscope_server: ServerProcess) -> None:
    t = tag()
    body = "\n".join([json.dumps({"create": {"_index": t}}), json.dumps({"message": "first", "service": t}),
                      json.dumps({"create": {"_index": t}}), '{"message": "broken',
                      json.dumps({"create": {"_index": t}}), json.dumps({"message": "third", "service": t})]) + "\n"
    r = httpx.post(f"{meshscope_server.http_url}/{t}/_bulk", content=body)
    assert r.status_code == 200
    items = r.json()["items"]
    assert r.json()["errors"] is True and [i["create"]["status"] for i in items] == [201, 400, 201]
    assert items[1]["create"]["error"]["type"] == "document_parsing_exception"
    assert [row["body"] for row in lines_of(meshscope_server, f"service_name = '{t}'")] == ["first", "third"]


def test_broken_json_lines(meshscope_server: ServerProcess) -> None:
    t = tag()
    r = httpx.post(f"{meshscope_server.http_url}/api/ms/logs/jsonl", params={"service_name": t},
                   content=b'{"msg": "ok 1"}\n{"msg": \n[1, 2]\n{"msg": "ok 2"}\n')
    assert r.status_code == 200
    assert r.json()["accepted"] == 2 and [e["line"] for e in r.json()["errors"]] == [2, 3]
    r = httpx.post(f"{meshscope_server.http_url}/api/ms/logs/jsonl", content=b"{nope\n")
    assert r.status_code == 400 and r.json()["rejected"] == 1
    assert {row["body"] for row in lines_of(meshscope_server, f"service_name = '{t}'")} == {"ok 1", "ok 2"}


def test_malformed_syslog(meshscope_server: ServerProcess) -> None:
    t = tag()
    with socket.create_connection(("127.0.0.1", meshscope_server.syslog_port)) as c:
        c.sendall(f"{t} no priority at all\n<999>bad priority {t}\n\n\x00<14>1 - - {t} - - - fine\n".encode())
    rows = wait_for(meshscope_server, f"body LIKE '%{t}%' OR service_name = '{t}'", 3,
                    "body, attributes['syslog.malformed'] AS bad")
    assert sorted((r["body"], r["bad"]) for r in rows) == sorted([
        (f"{t} no priority at all", "true"), (f"<999>bad priority {t}", "true"), ("fine", "")])


def test_full_queue_is_429_with_retry_after(server_factory: type[ServerProcess], tmp_path) -> None:
    server = server_factory(tmp_path / "data", env_overrides={
        "MESHSCOPE_INGEST__QUEUE_MAX_ROWS": "1", "MESHSCOPE_INGEST__FLUSH_INTERVAL": "3"}).start()
    now = time.time_ns()
    # an idle writer inserts at once; after this one, the next line waits up to 3 s for company
    assert push(server, [{"stream": {"app": "prime"}, "values": [[str(now), "prime"]]}]).status_code == 204
    first: list[httpx.Response] = []
    waiting = threading.Thread(target=lambda: first.append(push(server, [
        {"stream": {"app": "q"}, "values": [[str(now), "queued"]]}])))
    waiting.start()
    time.sleep(0.5)
    r = push(server, [{"stream": {"app": "q"}, "values": [[str(now), "refused"]]}])
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    bulk = httpx.post(f"{server.http_url}/_bulk", content=b'{"index":{}}\n{"message":"refused"}\n')
    assert bulk.status_code == 429 and "retry-after" in bulk.headers
    waiting.join(30)
    assert first[0].status_code == 204
    assert [row["body"] for row in lines_of(server, "service_name = 'q'")] == ["queued"]
