"""syslog over TLS (RFC 5425) against a real server: rsyslog's ``ossl`` driver forwarding with a
client certificate (mutual TLS), and Python ssl sockets for what goes wrong — plain text, a
certificate from another CA, no certificate, a frame cut short — each a clear log line, nothing
crashes, and a connection open beside them keeps working."""

from __future__ import annotations

import socket
import ssl
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.log_reads import wait_for
from support.rsyslog import rsyslogd, send
from support.server import ServerProcess, free_port
from support.tls_certs import Pki, make_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def mtls_server(tmp_path_factory: pytest.TempPathFactory, pki: Pki) -> Iterator[ServerProcess]:
    """A server whose TLS port requires a client certificate signed by the test CA."""
    server = ServerProcess(tmp_path_factory.mktemp("mtls") / "data")
    server.tls_port = free_port()  # type: ignore[attr-defined]
    server.env_overrides = {"MESHSCOPE_SYSLOG__TLS_PORT": str(server.tls_port),  # type: ignore[attr-defined]
                            "MESHSCOPE_SYSLOG__TLS_CERT_FILE": str(pki.server_cert),
                            "MESHSCOPE_SYSLOG__TLS_KEY_FILE": str(pki.server_key),
                            "MESHSCOPE_SYSLOG__TLS_CLIENT_CA_FILE": str(pki.ca)}
    server.start()
    yield server
    server.stop()


def tag() -> str:
    return "t" + uuid.uuid4().hex[:8]


def frame(message: str) -> bytes:
    data = message.encode()
    return str(len(data)).encode() + b" " + data


def client_context(pki: Pki, cert: Path | None, key: Path | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki.ca))
    if cert is not None:
        ctx.load_cert_chain(cert, key)
    return ctx


def tls_connect(port: int, ctx: ssl.SSLContext) -> ssl.SSLSocket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return ctx.wrap_socket(sock, server_hostname="localhost")


def hung_up(port: int, ctx: ssl.SSLContext, data: bytes) -> bool:
    """Whether the server ends the connection; with TLS 1.3 the client learns of a refused
    certificate only when it reads after the handshake."""
    try:
        with tls_connect(port, ctx) as s:
            s.sendall(data)
            return s.recv(1) == b""
    except (ssl.SSLError, ConnectionError):
        return True


def wait_log(server: ServerProcess, text: str, timeout: float = 10) -> str:
    """The server log (whitespace collapsed: the console wraps long lines) once it contains ``text``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = " ".join(server.log_path.read_text(errors="replace").split())
        if text in log:
            return log
        time.sleep(0.1)
    raise AssertionError(f"no log line with {text!r}:\n{server.log_tail()}")


def test_rsyslog_forwards_over_mutual_tls(mtls_server: ServerProcess, pki: Pki, tmp_path: Path) -> None:
    t = tag()
    with rsyslogd(tmp_path, f"""action(type="omfwd" target="127.0.0.1" port="{mtls_server.tls_port}" protocol="tcp"
       StreamDriver="ossl" StreamDriverMode="1" StreamDriverAuthMode="x509/name"
       StreamDriverPermittedPeers="localhost"
       StreamDriver.CAFile="{pki.ca}" StreamDriver.CertFile="{pki.client_cert}"
       StreamDriver.KeyFile="{pki.client_key}"
       template="RSYSLOG_SyslogProtocol23Format" TCP_Framing="octet-counted")""") as port:
        send(port, t, "user.err", [f"{t} relayed over TLS {i}" for i in range(3)])
        rows = wait_for(mtls_server, f"service_name = '{t}'", 3, "body, severity_text", timeout=20)
    assert rows == [{"body": f"{t} relayed over TLS {i}", "severity_text": "ERROR"} for i in range(3)]


def test_bad_connections_are_logged_and_leave_others_working(mtls_server: ServerProcess, pki: Pki) -> None:
    t = tag()
    good = client_context(pki, pki.client_cert, pki.client_key)
    with tls_connect(mtls_server.tls_port, good) as beside:  # open through all the bad ones
        beside.sendall(frame(f"<14>1 - host {t} - - - before"))

        with socket.create_connection(("127.0.0.1", mtls_server.tls_port), timeout=10) as plain:
            plain.sendall(f"<14>1 - host {t} - - - plain text\n".encode())
            try:
                assert plain.recv(4096) == b""  # the server hangs up...
            except ConnectionResetError:
                pass  # ...or resets, when it had not read all that was sent
        wait_log(mtls_server, "syslog TLS connection from 127.0.0.1 refused: the client does not speak TLS")

        for cert, key, expect in ((pki.rogue_cert, pki.rogue_key, "certificate rejected"),
                                  (None, None, "the client sent no certificate")):
            assert hung_up(mtls_server.tls_port, client_context(pki, cert, key),
                           frame(f"<14>1 - host {t} - - - refused"))
            wait_log(mtls_server, f"syslog TLS connection from 127.0.0.1 refused: {expect}")

        beside.sendall(frame(f"<14>1 - host {t} - - - after"))
    rows = wait_for(mtls_server, f"service_name = '{t}'", 2, "body", timeout=15)
    assert sorted(r["body"] for r in rows) == ["after", "before"]
    assert "Traceback" not in mtls_server.log_path.read_text()


def test_frame_cut_short_is_logged_and_kept(mtls_server: ServerProcess, pki: Pki) -> None:
    t = tag()
    with tls_connect(mtls_server.tls_port, client_context(pki, pki.client_cert, pki.client_key)) as s:
        s.sendall(frame(f"<14>1 - host {t} - - - whole") + f"100 <14>1 - host {t} - - - cut".encode())
        s.unwrap()  # close_notify: the sender ended the stream inside the frame
    wait_log(mtls_server, f"closed inside an octet-counted frame ({len(f'<14>1 - host {t} - - - cut')} of 100 bytes)")
    rows = wait_for(mtls_server, f"service_name = '{t}'", 2, "body")
    assert sorted(r["body"] for r in rows) == ["cut", "whole"]


def test_tls_without_client_ca_takes_any_client(server_factory: type[ServerProcess], pki: Pki,
                                                tmp_path: Path) -> None:
    port = free_port()
    combined = tmp_path / "server-with-key.pem"  # no key file: the key is read from the certificate file
    combined.write_bytes(pki.server_cert.read_bytes() + pki.server_key.read_bytes())
    server = server_factory(tmp_path / "data", env_overrides={
        "MESHSCOPE_SYSLOG__TLS_PORT": str(port), "MESHSCOPE_SYSLOG__TLS_CERT_FILE": str(combined)}).start()
    t = tag()
    with tls_connect(port, client_context(pki, None, None)) as s:
        assert s.version() in ("TLSv1.2", "TLSv1.3")
        s.sendall(frame(f"<11>1 2030-01-01T00:00:00Z host {t} 42 - - over TLS") + b"<13>newline framed too\n")
    rows = wait_for(server, f"service_name = '{t}' OR body = 'newline framed too'", 2,
                    "body, severity_text, attributes['syslog.procid'] AS pid")
    assert sorted(rows, key=lambda r: r["body"]) == [
        {"body": "newline framed too", "severity_text": "INFO", "pid": ""},
        {"body": "over TLS", "severity_text": "ERROR", "pid": "42"}]


def test_unreadable_certificate_stops_the_server_naming_the_file(server_factory: type[ServerProcess],
                                                                 tmp_path: Path) -> None:
    bad = tmp_path / "not-a-cert.pem"
    bad.write_text("not a certificate\n")
    server = server_factory(tmp_path / "data", env_overrides={
        "MESHSCOPE_SYSLOG__TLS_PORT": str(free_port()), "MESHSCOPE_SYSLOG__TLS_CERT_FILE": str(bad)})
    with pytest.raises(RuntimeError, match="server exited"):
        server.start(timeout=30)
    assert f"cannot load syslog.tls_cert_file {bad}" in server.log_tail()
