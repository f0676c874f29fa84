"""syslog listeners on the server's event loop: TCP (octet-counted or newline framing) and UDP.

syslog has no acknowledgement, so TCP gets back-pressure instead: a connection keeps a bounded
number of batches in flight and, when the write queue is full, stops reading (the sender's
socket buffer fills and it blocks or spools, as rsyslog does) until a retry succeeds. UDP
datagrams are gathered for a few milliseconds into one batch; when full they are counted as
refused, since UDP senders cannot be slowed.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future
from typing import Any

from meshscope.config import Settings
from meshscope.decode.log_fields import LogOptions
from meshscope.decode.syslog import parse_message
from meshscope.decode.syslog_framing import SyslogFramer
from meshscope.errors import MeshscopeError, Unavailable
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
        self._udp: asyncio.DatagramTransport | None = None
        self._connections: set[asyncio.Task[Any]] = set()


    def submit(self, messages: list[bytes], peer: str) -> Future[Any] | None:
        """Parse and queue a batch; None when nothing in it is storable. Raises Unavailable when full."""
        opts = LogOptions.now(self.settings)
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
            await self.stop()
            message = f"could not open syslog port {s.tcp_port}/{s.udp_port}: {exc.strerror}"
            if s.model_fields_set & {"tcp_port", "udp_port"}:
                raise SystemExit(message) from None
            # the default port: a second server on one machine still starts (set syslog.tcp_port to choose)
            log.warning("%s; syslog listener not started (set syslog.tcp_port/udp_port)", message)

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            for task in list(self._connections):
                task.cancel()
            await self._tcp.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        peer = str((writer.get_extra_info("peername") or ("",))[0])
        framer = SyslogFramer(self.settings.logs.max_line_bytes)
        pending: list[asyncio.Future[Any]] = []
        try:
            while data := await reader.read(1 << 16):
                await self._store(framer.feed(data), peer, pending)
            await self._store(framer.flush(), peer, pending)
            await asyncio.gather(*pending, return_exceptions=True)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            if task is not None:
                self._connections.discard(task)

    async def _store(self, messages: list[bytes], peer: str, pending: list[asyncio.Future[Any]]) -> None:
        if not messages:
            return
        loop = asyncio.get_running_loop()
        while True:
            try:
                future = await loop.run_in_executor(None, self.submit, messages, peer)
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
