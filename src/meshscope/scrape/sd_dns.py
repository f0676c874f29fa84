"""``dns_sd_configs``: targets from SRV, MX, A and AAAA records, re-resolved every ``refresh_interval``.

SRV and MX go through a small stub resolver (:mod:`dns_wire` over UDP, TCP when the answer is
truncated) using the nameservers and search list of ``/etc/resolv.conf``, as Prometheus does;
A and AAAA use the system resolver. A name that fails to resolve keeps its previous targets;
a name that does not exist has none.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import struct
from dataclasses import dataclass

from meshscope.scrape import dns_wire
from meshscope.scrape.config import DnsSdConfig
from meshscope.scrape.dns_wire import NXDOMAIN, DnsFormatError, Record
from meshscope.scrape.targets import TargetGroup

log = logging.getLogger(__name__)
RESOLV_CONF = "/etc/resolv.conf"


class DnsLookupError(Exception):
    """No nameserver gave a usable answer."""


@dataclass(frozen=True)
class ResolvConf:
    nameservers: tuple[tuple[str, int], ...] = (("127.0.0.1", 53),)
    search: tuple[str, ...] = ()
    ndots: int = 1
    timeout: float = 5.0
    attempts: int = 2


def read_resolv_conf(path: str = RESOLV_CONF) -> ResolvConf:
    servers: list[tuple[str, int]] = []
    search: list[str] = []
    options = {"ndots": 1, "timeout": 5, "attempts": 2}
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return ResolvConf()
    for line in lines:
        words = line.split("#", 1)[0].split(";", 1)[0].split()
        if len(words) >= 2 and words[0] == "nameserver":
            servers.append((words[1], 53))
        elif words and words[0] in ("search", "domain"):
            search = words[1:]
        elif words and words[0] == "options":
            for opt in words[1:]:
                key, _, value = opt.partition(":")
                if key in options and value.isdigit():
                    options[key] = int(value)
    return ResolvConf(tuple(servers) or ResolvConf.nameservers, tuple(search), options["ndots"],
                      float(options["timeout"]), options["attempts"])


class StubResolver:
    """Asks each nameserver in turn; the first real answer (records or NXDOMAIN) wins."""

    def __init__(self, conf: ResolvConf) -> None:
        self.conf = conf

    def candidates(self, name: str) -> list[str]:
        if name.endswith("."):
            return [name]
        with_search = [f"{name}.{domain}." for domain in self.conf.search]
        return [f"{name}.", *with_search] if name.count(".") >= self.conf.ndots else [*with_search, f"{name}."]

    async def lookup(self, name: str, qtype: str) -> list[Record]:
        for fqdn in self.candidates(name):
            answer = await self.ask(fqdn, qtype)
            if answer.rcode == 0 and answer.records:
                return list(answer.records)
        return []

    async def ask(self, fqdn: str, qtype: str) -> dns_wire.Answer:
        errors = []
        for _ in range(self.conf.attempts):
            for server in self.conf.nameservers:
                try:
                    answer = await self._udp(server, fqdn, qtype)
                    if answer.truncated:
                        answer = await self._tcp(server, fqdn, qtype)
                except (OSError, TimeoutError, DnsFormatError) as exc:
                    errors.append(f"{server[0]}:{server[1]}: {exc or type(exc).__name__}")
                    continue
                if answer.rcode in (0, NXDOMAIN):
                    return answer
                errors.append(f"{server[0]}:{server[1]}: rcode {answer.rcode}")
        raise DnsLookupError(f"could not resolve {fqdn} {qtype}: {'; '.join(errors)}")

    async def _udp(self, server: tuple[str, int], fqdn: str, qtype: str) -> dns_wire.Answer:
        qid = random.getrandbits(16)
        family = socket.AF_INET6 if ":" in server[0] else socket.AF_INET
        loop = asyncio.get_running_loop()
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            await loop.sock_connect(sock, server)
            await loop.sock_sendall(sock, dns_wire.query(qid, fqdn, qtype))
            async with asyncio.timeout(self.conf.timeout):
                while True:  # ignore stray datagrams that do not answer our query
                    answer = dns_wire.parse(await loop.sock_recv(sock, 65535), qtype)
                    if answer.id == qid:
                        return answer

    async def _tcp(self, server: tuple[str, int], fqdn: str, qtype: str) -> dns_wire.Answer:
        message = dns_wire.query(random.getrandbits(16), fqdn, qtype)
        async with asyncio.timeout(self.conf.timeout):
            reader, writer = await asyncio.open_connection(*server)
            try:
                writer.write(struct.pack("!H", len(message)) + message)
                size = struct.unpack("!H", await reader.readexactly(2))[0]
                return dns_wire.parse(await reader.readexactly(size), qtype)
            finally:
                writer.close()


def _join(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def group(name: str, records: list[Record], port: int) -> TargetGroup:
    """One group per name; every target carries all four ``__meta_dns_*`` labels as Prometheus sets them."""
    addresses, own = [], []
    for r in records:
        srv = r.type == "SRV"
        addresses.append(_join(r.target.rstrip("."), r.port if srv else port))
        own.append((("__meta_dns_mx_record_target", r.target if r.type == "MX" else ""),
                    ("__meta_dns_name", name),
                    ("__meta_dns_srv_record_port", str(r.port) if srv else ""),
                    ("__meta_dns_srv_record_target", r.target if srv else "")))
    return TargetGroup(tuple(addresses), (), name, tuple(own))


class DnsDiscovery:
    def __init__(self, cfg: DnsSdConfig, resolver: StubResolver | None = None) -> None:
        self.cfg = cfg
        self.resolver = resolver or StubResolver(read_resolv_conf())
        self._groups: dict[str, TargetGroup] = {}

    def groups(self) -> list[TargetGroup]:
        return [self._groups[n] for n in self.cfg.names if n in self._groups]

    async def run(self) -> None:
        while True:
            await self.refresh()
            await asyncio.sleep(self.cfg.refresh_interval)

    async def refresh(self) -> None:
        for name in self.cfg.names:
            try:
                records = await self._records(name)
            except (DnsLookupError, OSError, ValueError) as exc:  # ValueError: not a valid DNS name
                log.warning("dns_sd %s: %s; keeping the previous targets", name, exc)
                continue
            self._groups[name] = group(name, records, self.cfg.port)

    async def _records(self, name: str) -> list[Record]:
        if self.cfg.type in ("SRV", "MX"):
            return await self.resolver.lookup(name, self.cfg.type)
        family = socket.AF_INET if self.cfg.type == "A" else socket.AF_INET6
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(name, None, family=family,
                                                                 type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
                return []
            raise DnsLookupError(f"could not resolve {name} {self.cfg.type}: {exc}") from None
        ips = dict.fromkeys(str(info[4][0]) for info in infos)
        return [Record(self.cfg.type, ip) for ip in ips]
