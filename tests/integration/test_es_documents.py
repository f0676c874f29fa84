"""Elasticsearch single-document APIs with the real elasticsearch-py client against a real server:
index/create/get answered as Elasticsearch 8 answers them, each document stored exactly once."""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest
from elasticsearch import BadRequestError, ConflictError, Elasticsearch, NotFoundError

from support.log_reads import lines_of
from support.server import ServerProcess


def tag() -> str:
    return "t" + uuid.uuid4().hex[:8]


@pytest.fixture
def es(meshscope_server: ServerProcess):
    client = Elasticsearch(meshscope_server.http_url, request_timeout=30)
    yield client
    client.close()


def test_index_with_auto_id_then_get_it(es: Elasticsearch, meshscope_server: ServerProcess) -> None:
    t = tag()
    doc = {"@timestamp": "2030-01-01T00:00:00Z", "message": f"{t} auto id", "level": "error",
           "service": {"name": t}, "user": {"id": 7}}
    r = es.index(index=f"app-{t}", document=doc, refresh="wait_for", pipeline="ignored")
    assert r.meta.status == 201 and r.meta.headers["location"] == f"/app-{t}/_doc/{r['_id']}"
    assert {k: r[k] for k in ("_index", "result", "_version", "_primary_term")} == {
        "_index": f"app-{t}", "result": "created", "_version": 1, "_primary_term": 1}
    assert len(r["_id"]) == 20 and r["_shards"]["failed"] == 0 and isinstance(r["_seq_no"], int)
    got = es.get(index=f"app-{t}", id=r["_id"])  # the reply waited for the insert: readable at once
    assert got["found"] is True and got["_id"] == r["_id"]
    assert got["_source"]["message"] == f"{t} auto id" and got["_source"]["user.id"] == "7"
    assert es.exists(index=f"app-{t}", id=r["_id"]).body is True
    assert es.get_source(index=f"app-{t}", id=r["_id"])["message"] == f"{t} auto id"
    rows = lines_of(meshscope_server, f"service_name = '{t}'", "body, severity_text, labels['index'] AS ix")
    assert rows == [{"body": f"{t} auto id", "severity_text": "ERROR", "ix": f"app-{t}"}]


def test_same_body_twice_without_id_is_two_documents(es: Elasticsearch, meshscope_server: ServerProcess) -> None:
    t = tag()
    doc = {"message": f"{t} twice", "service": t}
    ids = {es.index(index=t, document=doc)["_id"] for _ in range(2)}
    assert len(ids) == 2
    assert len(lines_of(meshscope_server, f"service_name = '{t}'")) == 2


def test_index_with_id_is_stored_once(es: Elasticsearch, meshscope_server: ServerProcess) -> None:
    t = tag()
    first = es.index(index=t, id="doc-1", document={"message": f"{t} first", "service": t})
    again = es.index(index=t, id="doc-1", document={"message": f"{t} first", "service": t})
    assert (first.meta.status, first["result"]) == (201, "created")
    assert (again.meta.status, again["result"]) == (200, "updated")  # a resend: not stored again
    assert [r["body"] for r in lines_of(meshscope_server, f"service_name = '{t}'")] == [f"{t} first"]
    assert es.get(index=t, id="doc-1")["_source"]["message"] == f"{t} first"


@pytest.mark.parametrize("how", ["create_api", "op_type", "put_create"])
def test_create_of_a_known_id_is_409(es: Elasticsearch, meshscope_server: ServerProcess, how: str) -> None:
    t = tag()

    def create(body: dict) -> object:
        if how == "create_api":
            return es.create(index=t, id="c1", document=body)
        if how == "op_type":
            return es.index(index=t, id="c1", document=body, op_type="create")
        r = httpx.put(f"{meshscope_server.http_url}/{t}/_create/c1", json=body, timeout=30)
        if r.status_code == 409:
            raise ConflictError(message=r.json()["error"]["type"], meta=None, body=r.json())  # type: ignore[arg-type]
        return r.json()

    created = create({"message": f"{t} once", "service": t})
    assert created["result"] == "created"  # type: ignore[index]
    with pytest.raises(ConflictError) as info:
        create({"message": f"{t} once", "service": t})
    body = info.value.body
    assert body["status"] == 409 and body["error"]["type"] == "version_conflict_engine_exception"
    assert "[c1]: version conflict, document already exists" in body["error"]["reason"]
    assert [r["body"] for r in lines_of(meshscope_server, f"service_name = '{t}'")] == [f"{t} once"]


def test_missing_documents_are_404(es: Elasticsearch) -> None:
    t = tag()
    with pytest.raises(NotFoundError) as info:
        es.get(index=t, id="nope")
    assert info.value.body == {"_index": t, "_id": "nope", "found": False}
    assert es.exists(index=t, id="nope").body is False
    with pytest.raises(NotFoundError):
        es.get_source(index=t, id="nope")


def test_changes_to_stored_documents_are_refused(es: Elasticsearch, meshscope_server: ServerProcess) -> None:
    t = tag()
    es.index(index=t, id="d1", document={"message": f"{t} kept", "service": t})
    with pytest.raises(BadRequestError) as info:
        es.delete(index=t, id="d1")
    assert "append-only" in info.value.body["error"]["reason"]
    with pytest.raises(BadRequestError):
        es.update(index=t, id="d1", doc={"message": "changed"})
    with pytest.raises(BadRequestError):
        es.delete_by_query(index=t, query={"match_all": {}})
    assert es.get(index=t, id="d1")["_source"]["message"] == f"{t} kept"


@pytest.mark.parametrize(("path", "body", "error_type", "reason"), [
    ("/{t}/_doc", b"", "parse_exception", "request body is required"),
    ("/{t}/_doc", b'{"message": "broken', "document_parsing_exception", "not valid JSON"),
    ("/{t}/_doc/x1", b'["an", "array"]', "document_parsing_exception", "must be a JSON object"),
    ("/{t}/_doc/x2?op_type=upsert", b'{"message": "m"}', "illegal_argument_exception", "op_type must be one of"),
])
def test_bad_documents_are_400_naming_the_problem(meshscope_server: ServerProcess, path: str, body: bytes,
                                                    error_type: str, reason: str) -> None:
    t = tag()
    r = httpx.post(meshscope_server.http_url + path.format(t=t), content=body,
                   headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 400 and r.headers["x-elastic-product"] == "Elasticsearch"
    error = r.json()["error"]
    assert error["type"] == error_type and reason in error["reason"] and error["root_cause"][0]["type"] == error_type
    assert lines_of(meshscope_server, f"labels['index'] = '{t}'") == []


@pytest.mark.parametrize(("method", "path"), [("PUT", "/{t}/_doc"), ("POST", "/{t}/_create"),
                                              ("GET", "/{t}/_doc"), ("DELETE", "/{t}/_create/x")])
def test_document_calls_without_their_shape_are_405(meshscope_server: ServerProcess, method: str, path: str) -> None:
    t = tag()
    r = httpx.request(method, meshscope_server.http_url + path.format(t=t), json={"message": "m", "service": t},
                      timeout=30)
    assert r.status_code == 405 and r.json()["error"].startswith(f"Incorrect HTTP method for uri [/{t}/_")
    assert lines_of(meshscope_server, f"service_name = '{t}'") == []


def test_client_start_up_calls_are_answered(es: Elasticsearch) -> None:
    """What scripts and shippers ask before writing: answered in the shapes the client reads."""
    t = tag()
    assert es.indices.exists(index=t).body is True
    assert es.indices.create(index=t)["acknowledged"] is True
    assert es.indices.get_mapping(index=t).body == {t: {"mappings": {}}}
    assert es.indices.get_settings(index=t)[t]["settings"]["index"]["number_of_shards"] == "1"
    assert es.indices.refresh(index=t)["_shards"]["failed"] == 0
    assert es.cat.indices(format="json").body == []
    assert es.cluster.health(index=t, wait_for_status="yellow")["status"] == "green"
    assert es.nodes.info(metric="http")["nodes"]
    assert es.ilm.get_lifecycle(name="p")["p"]["policy"] == {"phases": {}}
    assert es.indices.get_index_template(name="tpl")["index_templates"][0]["name"] == "tpl"
    assert es.indices.get_data_stream(name="logs-x-default")["data_streams"][0]["name"] == "logs-x-default"


@pytest.mark.parametrize(("method", "path", "status", "kind"), [
    ("GET", "/_cat/indices", 200, "text"),  # Logstash and humans: text unless format=json
    ("GET", "/_cat/indices?format=json", 200, "json"),
    ("HEAD", "/logs-app", 200, "empty"),
    ("PUT", "/logs-app", 200, "json"),
    ("GET", "/_index_template/logs-app", 200, "json"),
    ("PUT", "/_ilm/policy/logs-app", 200, "json"),
    ("GET", "/_data_stream/logs-app-default", 200, "json"),
    ("PUT", "/_data_stream/logs-app-default", 200, "json"),
    ("GET", "/_nodes/http", 200, "json"),
    ("GET", "/logs-app/_mapping", 200, "json"),
    ("HEAD", "/_alias/logstash", 200, "empty"),
    ("GET", "/_ingest/pipeline/filebeat-8.17.0-system-syslog-pipeline", 200, "json"),
])
def test_shipper_start_up_calls_wire_exact(meshscope_server: ServerProcess, method: str, path: str, status: int,
                                          kind: str) -> None:
    r = httpx.request(method, meshscope_server.http_url + path, headers={"Content-Type": "application/json"},
                      content=b"{}" if method == "PUT" else None, timeout=30)
    assert r.status_code == status and r.headers["x-elastic-product"] == "Elasticsearch"
    if kind == "json":
        assert r.headers["content-type"].startswith("application/json") and r.json() is not None
    elif kind == "text":
        assert r.headers["content-type"].startswith("text/plain") and r.text == ""
    else:
        assert r.content == b""


def test_full_queue_is_429_for_single_documents(server_factory: type[ServerProcess], tmp_path) -> None:
    server = server_factory(tmp_path / "data", env_overrides={
        "MESHSCOPE_INGEST__QUEUE_MAX_ROWS": "1", "MESHSCOPE_INGEST__FLUSH_INTERVAL": "3"}).start()
    url = server.http_url
    # an idle writer inserts at once; after this one, the next document waits up to 3 s for company
    assert httpx.post(f"{url}/prime/_doc", json={"message": "prime"}, timeout=30).status_code == 201
    first: list[httpx.Response] = []
    waiting = threading.Thread(target=lambda: first.append(
        httpx.put(f"{url}/q/_doc/queued", json={"message": "queued", "service": "q"}, timeout=30)))
    waiting.start()
    time.sleep(0.5)
    refused = httpx.put(f"{url}/q/_create/refused", json={"message": "refused", "service": "q"}, timeout=30)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    waiting.join(30)
    assert first[0].status_code == 201
    assert [row["body"] for row in lines_of(server, "service_name = 'q'")] == ["queued"]
    # the refused id was not remembered: the shipper's retry is stored
    retried = httpx.put(f"{url}/q/_create/refused", json={"message": "refused", "service": "q"}, timeout=30)
    assert retried.status_code == 201
    assert sorted(row["body"] for row in lines_of(server, "service_name = 'q'")) == ["queued", "refused"]


def test_known_ids_are_found_after_a_restart(server_factory: type[ServerProcess], tmp_path) -> None:
    """The recent-id window lives in memory; a single-document write also asks storage."""
    server = server_factory(tmp_path / "data").start()
    doc = {"message": "before the restart", "service": "restarted"}
    assert httpx.put(f"{server.http_url}/r/_create/k1", json=doc, timeout=30).status_code == 201
    server.restart()
    again = httpx.put(f"{server.http_url}/r/_create/k1", json=doc, timeout=30)
    assert again.status_code == 409 and again.json()["error"]["type"] == "version_conflict_engine_exception"
    index_again = httpx.put(f"{server.http_url}/r/_doc/k1", json=doc, timeout=30)
    assert (index_again.status_code, index_again.json()["result"]) == (200, "updated")
    assert [row["body"] for row in lines_of(server, "service_name = 'restarted'")] == ["before the restart"]
