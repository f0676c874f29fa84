"""The agent's own metrics, served with its status at ``/metrics`` and ``/status``."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest


class AgentMetrics:
    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        p = "meshscope_agent_"
        self.lines_read = Counter(p + "lines_read", "Lines read from inputs.", ["input"], registry=r)
        self.records_filtered = Counter(p + "records_filtered", "Records dropped by filters.", ["input"],
                                        registry=r)
        self.records_spooled = Counter(p + "records_spooled", "Records written to the spool in batches.",
                                       registry=r)
        self.batches_sent = Counter(p + "batches_sent", "Batches the server acknowledged.", ["signal"],
                                    registry=r)
        self.records_sent = Counter(p + "records_sent", "Records in acknowledged batches.", ["signal"],
                                    registry=r)
        self.batches_retried = Counter(p + "batches_retried", "Send attempts that will be retried.",
                                       ["reason"], registry=r)
        self.batches_rejected = Counter(p + "batches_rejected",
                                        "Batches refused for good (kept under spool/rejected).", registry=r)
        self.records_rejected = Counter(p + "records_rejected", "Records the server refused in a partial success.",
                                        registry=r)
        self.truncations = Counter(p + "file_truncations", "Files found truncated.", registry=r)
        self.rotations = Counter(p + "file_rotations", "Files found rotated (renamed or copied away).",
                                 registry=r)
        self.samples_skipped = Counter(p + "host_metric_collections_skipped",
                                       "Host metric collections skipped because the spool was full.", registry=r)
        self.spool_bytes = Gauge(p + "spool_bytes", "Bytes of batches waiting in the spool.", registry=r)
        self.spool_batches = Gauge(p + "spool_batches", "Batches waiting in the spool.", registry=r)
        self.spool_max = Gauge(p + "spool_max_bytes", "The spool bound.", registry=r)
        self.paused = Gauge(p + "reading_paused", "1 while reading waits because the spool is full.",
                            registry=r)
        self.lag = Gauge(p + "file_lag_bytes", "Bytes of a file not yet acknowledged by the server.", ["path"],
                         registry=r)
        self.files_open = Gauge(p + "files_open", "Files being tailed (rotated ones still draining count).",
                                registry=r)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class StatusServer:
    """``GET /metrics`` (Prometheus text) and ``GET /status`` (JSON from ``status``)."""

    def __init__(self, listen: str, metrics: AgentMetrics, status: Callable[[], dict[str, Any]]) -> None:
        host, _, port = listen.rpartition(":")

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                if self.path.startswith("/metrics"):
                    body, ctype = metrics.exposition(), CONTENT_TYPE_LATEST
                elif self.path.startswith("/status"):
                    body, ctype = json.dumps(status()).encode(), "application/json"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host or "127.0.0.1", int(port)), Handler)
        self.httpd.daemon_threads = True
        self.port = int(self.httpd.server_address[1])
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="agent-status", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() waits for serve_forever, which may never have run
            self.httpd.shutdown()
        self.httpd.server_close()
