"""DNS messages (RFC 1035) for SRV, MX, A and AAAA look-ups: build a query, read an answer.

Pure bytes in, values out; no I/O. Names in answers may be compressed (pointers), which
:func:`_name` follows with a loop guard.
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

QTYPES = {"A": 1, "MX": 15, "AAAA": 28, "SRV": 33}
NXDOMAIN = 3


class DnsFormatError(Exception):
    """A malformed DNS message."""


@dataclass(frozen=True)
class Record:
    """One answer: ``target`` is a host name with its trailing dot (SRV, MX) or an IP address."""

    type: str
    target: str
    port: int = 0


@dataclass(frozen=True)
class Answer:
    id: int
    rcode: int
    truncated: bool
    records: tuple[Record, ...]


def query(qid: int, name: str, qtype: str) -> bytes:
    header = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)  # recursion desired
    return header + encode_name(name) + struct.pack("!HH", QTYPES[qtype], 1)


def encode_name(name: str) -> bytes:
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode("idna") if label else b""
        if not raw or len(raw) > 63:
            raise ValueError(f"invalid DNS name {name!r}")
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def _name(msg: bytes, pos: int) -> tuple[str, int]:
    """The name at ``pos`` and the offset just after it (after the first pointer, if any)."""
    labels: list[str] = []
    end = -1
    for _ in range(128):
        if pos >= len(msg):
            raise DnsFormatError("name runs past the end of the message")
        length = msg[pos]
        if length & 0xC0 == 0xC0:
            if pos + 1 >= len(msg):
                raise DnsFormatError("truncated name pointer")
            end = pos + 2 if end < 0 else end
            pos = ((length & 0x3F) << 8) | msg[pos + 1]
            continue
        if length == 0:
            return ".".join(labels) + ".", (pos + 1 if end < 0 else end)
        labels.append(msg[pos + 1:pos + 1 + length].decode("ascii", "replace"))
        pos += 1 + length
    raise DnsFormatError("name pointer loop")


def parse(msg: bytes, qtype: str) -> Answer:
    if len(msg) < 12:
        raise DnsFormatError("message shorter than a DNS header")
    qid, flags, qdcount, ancount = struct.unpack("!HHHH", msg[:8])
    pos = 12
    for _ in range(qdcount):
        pos = _name(msg, pos)[1] + 4
    records = []
    for _ in range(ancount):
        pos = _name(msg, pos)[1]
        if pos + 10 > len(msg):
            raise DnsFormatError("truncated resource record")
        rtype, _cls, _ttl, rdlength = struct.unpack("!HHIH", msg[pos:pos + 10])
        pos += 10
        if pos + rdlength > len(msg):
            raise DnsFormatError("truncated record data")
        if rtype == QTYPES[qtype]:
            records.append(_rdata(msg, pos, rdlength, qtype))
        pos += rdlength
    return Answer(qid, flags & 0x000F, bool(flags & 0x0200), tuple(records))


def _rdata(msg: bytes, pos: int, length: int, qtype: str) -> Record:
    if qtype == "SRV":
        _prio, _weight, port = struct.unpack("!HHH", msg[pos:pos + 6])
        return Record("SRV", _name(msg, pos + 6)[0], port)
    if qtype == "MX":
        return Record("MX", _name(msg, pos + 2)[0])
    if (qtype, length) not in (("A", 4), ("AAAA", 16)):
        raise DnsFormatError(f"{qtype} record with {length} bytes of data")
    return Record(qtype, str(ipaddress.ip_address(msg[pos:pos + length])))
