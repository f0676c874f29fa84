"""A tiny authoritative DNS server for tests: UDP and TCP on one port, answers from a table.

Built from RFC 1035 independently of meshscope's encoder; answers compress the owner name with
a pointer to the question, and names listed in ``truncate`` get the TC bit over UDP so the
client must retry over TCP.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

TYPES = {1: "A", 15: "MX", 28: "AAAA", 33: "SRV"}


@dataclass
class Zone:
    # (name with trailing dot, type) -> rdata values: SRV (port, target), MX target, A/AAAA address
    records: dict[tuple[str, str], list[object]] = field(default_factory=dict)
    truncate: set[str] = field(default_factory=set)
    servfail: set[str] = field(default_factory=set)
    queries: list[tuple[str, str, str]] = field(default_factory=list)  # (transport, name, type)


def _name(name: str) -> bytes:
    return b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split(".")) + b"\0"


def _rdata(qtype: str, value: object) -> bytes:
    if qtype == "SRV":
        port, target = value  # type: ignore[misc]
        return struct.pack("!HHH", 10, 5, port) + _name(target)
    if qtype == "MX":
        return struct.pack("!H", 10) + _name(str(value))
    return socket.inet_pton(socket.AF_INET if qtype == "A" else socket.AF_INET6, str(value))


def answer(zone: Zone, query: bytes, transport: str) -> bytes:
    qid, _flags = struct.unpack("!HH", query[:4])
    pos, labels = 12, []
    while query[pos]:
        labels.append(query[pos + 1:pos + 1 + query[pos]].decode())
        pos += 1 + query[pos]
    qtype_num = struct.unpack("!H", query[pos + 1:pos + 3])[0]
    question = query[12:pos + 5]
    name, qtype = ".".join(labels).lower() + ".", TYPES.get(qtype_num, "?")
    zone.queries.append((transport, name, qtype))
    values = zone.records.get((name, qtype))
    rcode = 2 if name in zone.servfail else 0 if values is not None or any(n == name for n, _ in zone.records) else 3
    flags = 0x8180 | rcode
    if transport == "udp" and name in zone.truncate:
        return struct.pack("!HHHHHH", qid, flags | 0x0200, 1, 0, 0, 0) + question
    rrs = b""
    for value in values or []:
        data = _rdata(qtype, value)
        rrs += struct.pack("!HHHIH", 0xC00C, qtype_num, 1, 30, len(data)) + data
    return struct.pack("!HHHHHH", qid, flags, 1, len(values or []), 0, 0) + question + rrs


class _TcpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True  # a port in TIME_WAIT from an earlier test is free to listen on


def _bound_pair(udp_handler: type[socketserver.BaseRequestHandler], tcp_handler: type[socketserver.BaseRequestHandler]
                ) -> tuple[socketserver.ThreadingUDPServer, socketserver.ThreadingTCPServer, int]:
    """A UDP and a TCP server on one port: the OS picks a free UDP port, which TCP may hold elsewhere
    (another test's listener), so a taken port is given back and another one tried."""
    for _ in range(50):
        udp = socketserver.ThreadingUDPServer(("127.0.0.1", 0), udp_handler)
        port = udp.server_address[1]
        try:
            return udp, _TcpServer(("127.0.0.1", port), tcp_handler), port
        except OSError:
            udp.server_close()
    raise RuntimeError("no port free for both UDP and TCP")


@contextmanager
def dns_server(zone: Zone) -> Iterator[int]:
    class Udp(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            data, sock = self.request
            sock.sendto(answer(zone, data, "udp"), self.client_address)

    class Tcp(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            size = struct.unpack("!H", self.rfile.read(2))[0]
            reply = answer(zone, self.rfile.read(size), "tcp")
            self.wfile.write(struct.pack("!H", len(reply)) + reply)

    udp, tcp, port = _bound_pair(Udp, Tcp)
    threads = [threading.Thread(target=s.serve_forever, args=(0.05,), daemon=True) for s in (udp, tcp)]
    for t in threads:
        t.start()
    try:
        yield port
    finally:
        for s in (udp, tcp):
            s.shutdown()
            s.server_close()
