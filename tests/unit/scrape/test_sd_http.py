"""http_sd_configs against a real HTTP server: groups, ``__meta_url``, errors keep the previous groups."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from pydantic import ValidationError

from meshscope.scrape.config import HttpSdConfig, ScrapeConfig
from meshscope.scrape.http_client import client_for
from meshscope.scrape.sd_http import HttpDiscovery, HttpSdError, parse_groups
from meshscope.scrape.targets import build
from support.aio import run_async
from support.exporter import page_server

JSON = "application/json"


def _refresh(sd: HttpDiscovery) -> None:
    async def go() -> None:
        async with client_for(sd.cfg) as client:
            await sd.refresh(client)
    run_async(go())


def test_groups_labels_and_errors_keep_previous_groups() -> None:
    with page_server() as (pages, port):
        url = f"http://127.0.0.1:{port}/sd"
        sd = HttpDiscovery(HttpSdConfig.model_validate(
            {"url": url, "refresh_interval": "15s", "authorization": {"credentials": "s3cret"}}))
        pages.pages["/sd"] = (JSON, json.dumps([{"targets": ["a:9100", "b:9100"], "labels": {"team": "blue"}},
                                                {"targets": ["c:80"]}]))
        _refresh(sd)
        assert [(g.targets, dict(g.labels)) for g in sd.groups()] == [
            (("a:9100", "b:9100"), {"team": "blue", "__meta_url": url}), (("c:80",), {"__meta_url": url})]
        assert pages.requests[-1]["x-prometheus-refresh-interval-seconds"] == "15"
        assert pages.requests[-1]["authorization"] == "Bearer s3cret"
        before = sd.groups()
        for page, error in [((JSON, "[{"), "invalid JSON"), (("text/plain", "[]"), "unsupported content type"),
                            ((JSON, '{"targets": []}'), "expected a JSON list"), (None, "HTTP status 404")]:
            if page is None:
                del pages.pages["/sd"]
            else:
                pages.pages["/sd"] = page
            _refresh(sd)
            assert sd.groups() == before and error in sd.last_error, sd.last_error
        pages.pages["/sd"] = (JSON, "[]")
        _refresh(sd)
        assert sd.groups() == [] and sd.last_error == ""


def test_relabeling_sees_meta_url() -> None:
    groups = parse_groups("http://sd.test/targets", json.dumps([{"targets": ["h:1"], "labels": {"env": "x"}}]))
    cfg = ScrapeConfig.model_validate({"job_name": "j", "relabel_configs": [
        {"source_labels": ["__meta_url"], "regex": "http://(.*)/.*", "target_label": "sd"}]})
    (target,), _ = build(cfg, groups)
    assert dict(target.labels) == {"env": "x", "instance": "h:1", "job": "j", "sd": "sd.test"}


@pytest.mark.parametrize("body, message", [
    ('[{"targets": "a:1"}]', "targets must be a list of strings"),
    ('[{"targets": ["a:1"], "labels": {"x": 1}}]', "labels must map names to strings"),
    ("[1]", "expected an object"),
])
def test_bad_groups(body: str, message: str) -> None:
    with pytest.raises(HttpSdError, match=message):
        parse_groups("http://x/", body)


def test_unreachable_endpoint_is_an_error_not_a_crash() -> None:
    sd = HttpDiscovery(HttpSdConfig(url="http://127.0.0.1:1/sd"))
    _refresh(sd)
    assert sd.groups() == [] and sd.last_error


@pytest.mark.parametrize("raw, message", [
    ({"url": "ftp://x/"}, "URL scheme must be 'http' or 'https'"),
    ({"url": "http://x/", "basic_auth": {"username": "u"}, "bearer_token": "t"}, "at most one of"),
    ({}, "Field required"),
    ({"url": "http://x/", "proxy_url": "socks5://p:1080"}, "proxy_url must be an http or https URL"),
    ({"url": "http://x/", "basic_auth": {"username": "u"}, "oauth2": {"client_id": "c", "token_url": "http://t/"}},
     "at most one of basic_auth, oauth2"),
    ({"url": "http://x/", "oauth2": {"client_id": "c", "token_url": "http://t/", "client_secret": "a",
                                     "client_secret_file": "/f"}}, "client_secret & client_secret_file"),
])
def test_config_errors(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        HttpSdConfig.model_validate(raw)


def test_client_reads_credentials_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "pw").write_text("hunter2\n")
    cfg = HttpSdConfig.model_validate({"url": "http://x/", "basic_auth": {"username": "u",
                                                                          "password_file": str(tmp_path / "pw")}})
    client = client_for(cfg)
    request = client.build_request("GET", "http://x/")
    assert isinstance(client.auth, httpx.BasicAuth)
    flow = client.auth.auth_flow(request)
    assert next(flow).headers["Authorization"] == httpx.BasicAuth("u", "hunter2")._auth_header
    run_async(client.aclose())



@contextmanager
def json_server(answer: Callable[[BaseHTTPRequestHandler, bytes], tuple[int, object]]) -> Iterator[str]:
    """A server answering every GET and POST with ``answer(handler, body)`` as JSON; yields its URL."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            status, reply = answer(self, self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            body = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", JSON)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET  # noqa: N815 - http.server's name

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_requests_go_through_proxy_url() -> None:
    seen: list[str] = []

    def proxy(handler: BaseHTTPRequestHandler, _body: bytes) -> tuple[int, object]:
        seen.append(handler.path)  # a forward proxy gets the absolute URL
        return 200, [{"targets": ["a:1"]}]

    with json_server(proxy) as proxy_url:
        sd = HttpDiscovery(HttpSdConfig(url="http://inventory.invalid/targets", proxy_url=proxy_url))
        _refresh(sd)
    assert seen == ["http://inventory.invalid/targets"]
    assert [g.targets for g in sd.groups()] == [("a:1",)] and sd.last_error == ""


def test_oauth2_client_credentials(tmp_path) -> None:  # type: ignore[no-untyped-def]
    calls: list[dict[str, str]] = []
    tokens: list[dict[str, object]] = [{"access_token": "t1", "token_type": "Bearer", "expires_in": 3600},
                                       {"access_token": "t2", "token_type": "Bearer", "expires_in": 5},
                                       {"access_token": "t3", "token_type": "Bearer", "expires_in": 5},
                                       {"error": "invalid_client"}]
    (tmp_path / "secret").write_text("s3cret\n")

    def token(handler: BaseHTTPRequestHandler, body: bytes) -> tuple[int, object]:
        calls.append({"authorization": handler.headers.get("Authorization", ""), "form": body.decode()})
        reply = tokens.pop(0)
        return (401 if "error" in reply else 200), reply

    with json_server(token) as token_base, page_server() as (pages, port):
        pages.pages["/sd"] = (JSON, json.dumps([{"targets": ["a:1"]}]))
        token_url = f"{token_base}/token"
        sd = HttpDiscovery(HttpSdConfig.model_validate({"url": f"http://127.0.0.1:{port}/sd", "oauth2": {
            "client_id": "meshscope", "client_secret_file": str(tmp_path / "secret"), "token_url": token_url,
            "scopes": ["metrics", "read"], "endpoint_params": {"audience": "sd"}}}))

        async def go(times: int) -> None:
            async with client_for(sd.cfg) as client:
                for _ in range(times):
                    await sd.refresh(client)
        run_async(go(2))  # one token for both requests
        assert [r["authorization"] for r in pages.requests] == ["Bearer t1", "Bearer t1"]
        assert len(calls) == 1
        assert calls[0]["authorization"] == httpx.BasicAuth("meshscope", "s3cret")._auth_header
        assert calls[0]["form"] == "grant_type=client_credentials&audience=sd&scope=metrics+read"
        run_async(go(2))  # a new client, a new token; expires_in 5 is inside the 10s margin: fetched again
        assert [r["authorization"] for r in pages.requests[2:]] == ["Bearer t2", "Bearer t3"]
        before = sd.groups()
        run_async(go(1))  # the token endpoint refuses: an SD error, previous groups kept
        assert "returned HTTP status 401" in sd.last_error and sd.groups() == before
