"""syslog listeners on the server's event loop: TCP (octet-counted or newline framing), UDP, and
TLS (RFC 5425: the same framing over TLS, see :mod:`meshscope.ingest.syslog_tls`).

syslog has no acknowledgement, so TCP gets back-pressure instead: a connection keeps a bounded
number of batches in flight and, when the write queue is full, stops reading (the sender's
socket buffer fills and it blocks or spools, as rsyslog does) until a retry succeeds. UDP
datagrams are gathered for a few milliseconds into one batch; when full they are counted as
refused, since UDP senders cannot be slowed.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from concurrent.futures import Future
from typing import Any

from meshscope.config import Settings
from meshscope.decode.log_fields import LogOptions
from meshscope.decode.syslog import parse_message
from meshscope.decode.syslog_framing import SyslogFramer
from meshscope.errors import MeshscopeError, Unavailable
from meshscope.ingest.syslog_tls import HANDSHAKE_TIMEOUT_S, handshake_failure, server_context
from meshscope.model.log_streams import group_records
from meshscope.server import Meshscope
from meshscope.storage import log_rows

log = logging.getLogger(__name__)
IN_FLIGHT = 32  # batches one TCP connection may have waiting for their insert
UDP_GATHER_S = 0.05


class SyslogListener:
    """Both listeners of one server; :meth:`start` binds them (SystemExit when a configured port is taken)."""

    def __init__(self, ms: Meshscope, settings: Settings) -> None:
        self.ms = ms
        self.settings = settings
        self._tcp: asyncio.AbstractServer | None = None
        self._tls: asyncio.AbstractServer | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._connections: set[asyncio.Task[Any]] = set()

    def submit(self, messages: list[bytes], peer: str, opts: LogOptions | None = None) -> Future[Any] | None:
        """Parse and queue a batch received at ``opts``' time (now if None); None when nothing in it is
        storable. Raises Unavailable when full."""
        opts = opts or LogOptions.now(self.settings)
        records = [r for m in messages if (r := parse_message(m, opts, peer)) is not None]
        streams = group_records(records)
        return self.ms.submit_body("logs", "logs", "syslog", log_rows.encode(streams), len(records))

    async def start(self) -> None:
        s = self.settings.syslog
        loop = asyncio.get_running_loop()
        try:
            self._tcp = await asyncio.start_server(self._client, s.host, s.tcp_port, limit=1 << 20)
            self._udp, _ = await loop.create_datagram_endpoint(lambda: _UdpProtocol(self), (s.host, s.udp_port))
        except OSError as exc:
            await self._close(self._tcp)
            self._tcp = None
            if self._udp is not None:
                self._udp.close()
            self._port_taken(f"{s.tcp_port}/{s.udp_port}", exc, {"tcp_port", "udp_port"}, "tcp_port/udp_port")
        if s.tls_cert_file is not None:
            await self._start_tls(server_context(s))

    async def _start_tls(self, context: ssl.SSLContext) -> None:
        s = self.settings.syslog

        async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self._client(reader, writer, context)
        try:
            self._tls = await asyncio.start_server(client, s.host, s.tls_port, limit=1 << 20)
        except OSError as exc:
            # a certificate is an explicit ask for TLS: a taken port stops the server even if it is the default
            self._port_taken(f"{s.tls_port} (TLS)", exc, {"tls_port", "tls_cert_file"}, "tls_port")

    def _port_taken(self, ports: str, exc: OSError, fields: set[str], names: str) -> None:
        message = f"could not open syslog port {ports}: {exc.strerror}"
        if self.settings.syslog.model_fields_set & fields:
            raise SystemExit(message) from None
        # the default port: a second server on one machine still starts (set the port to choose)
        log.warning("%s; syslog listener not started (set syslog.%s)", message, names)

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        for task in list(self._connections):
            task.cancel()
        await self._close(self._tcp)
        await self._close(self._tls)

    @staticmethod
    async def _close(server: asyncio.AbstractServer | None) -> None:
        if server is not None:
            server.close()
            await server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                      tls: ssl.SSLContext | None = None) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        peer = str((writer.get_extra_info("peername") or ("",))[0])
        try:
            if tls is None or await self._handshake(writer, tls, peer):
                await self._receive(reader, peer, tls is not None)
        except asyncio.CancelledError:
            pass
        finally:
            writer.close()
            if task is not None:
                self._connections.discard(task)

    @staticmethod
    async def _handshake(writer: asyncio.StreamWriter, tls: ssl.SSLContext, peer: str) -> bool:
        """Upgrade the connection to TLS; False (and a log line naming peer and reason) when it fails."""
        try:
            await writer.start_tls(tls, ssl_handshake_timeout=HANDSHAKE_TIMEOUT_S)
            return True
        except (OSError, TimeoutError) as exc:
            log.warning("syslog TLS connection from %s refused: %s", peer, handshake_failure(exc))
            writer.transport.abort()
            return False

    async def _receive(self, reader: asyncio.StreamReader, peer: str, tls: bool) -> None:
        """Store what the connection sends until it closes; a broken connection keeps what arrived."""
        framer = SyslogFramer(self.settings.logs.max_line_bytes)
        pending: list[asyncio.Future[Any]] = []
        try:
            while data := await reader.read(1 << 16):
                await self._store(framer.feed(data), peer, pending)
        except OSError as exc:  # a reset (senders often close so) or a TLS record error: worth a line
            if not isinstance(exc, ConnectionError):
                log.warning("syslog%s connection from %s broken: %s", " TLS" if tls else "", peer,
                            handshake_failure(exc))
        if (cut := framer.incomplete()) is not None:
            log.warning("syslog connection from %s closed inside an octet-counted frame (%d of %d bytes); "
                        "the part received is stored as a message", peer, cut[1], cut[0])
        await self._store(framer.flush(), peer, pending)
        await asyncio.gather(*pending, return_exceptions=True)

    async def _store(self, messages: list[bytes], peer: str, pending: list[asyncio.Future[Any]]) -> None:
        if not messages:
            return
        loop = asyncio.get_running_loop()
        received = LogOptions.now(self.settings)  # not in the worker: a busy pool must not reorder lines
        while True:
            try:
                future = await loop.run_in_executor(None, self.submit, messages, peer, received)
                break
            except Unavailable as exc:  # stop reading: back-pressure to the sender
                await asyncio.sleep(exc.retry_after_s)
        if future is not None:
            pending.append(asyncio.wrap_future(future))
        pending[:] = [f for f in pending if not f.done()]
        if len(pending) >= IN_FLIGHT:
            await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)


class _UdpProtocol(asyncio.DatagramProtocol):
    """Gathers datagrams for a moment and submits them as one batch."""

    def __init__(self, listener: SyslogListener) -> None:
        self.listener = listener
        self.batch: list[tuple[bytes, str]] = []

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if not self.batch:
            asyncio.get_running_loop().call_later(UDP_GATHER_S, self.flush)
        self.batch.append((data, str(addr[0])))

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        by_peer: dict[str, list[bytes]] = {}
        for data, peer in batch:
            by_peer.setdefault(peer, []).append(data)
        for peer, messages in by_peer.items():
            try:
                self.listener.submit(messages, peer)
            except MeshscopeError as exc:
                log.warning("dropped %d syslog datagrams from %s: %s", len(messages), peer, exc.message)
