"""Scrape targets for tests: a tiny HTTP server whose pages the test rewrites, and a real
``prometheus_client`` exporter."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Pages:
    """``path -> (content type, body)``; a missing path answers 404."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, str]] = {}
        self.requests: list[dict[str, str]] = []


@contextmanager
def page_server() -> Iterator[tuple[Pages, int]]:
    pages = Pages()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            pages.requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            page = pages.pages.get(self.path.split("?")[0])
            if page is None:
                self.send_response(404)
                self.end_headers()
                return
            body = page[1].encode()
            self.send_response(200)
            self.send_header("Content-Type", page[0])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield pages, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
