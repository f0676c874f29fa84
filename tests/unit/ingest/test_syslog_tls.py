"""The syslog TLS server context: files named in every loading error, mutual TLS only with a CA."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from meshscope.config import SyslogSettings
from meshscope.ingest.syslog_tls import handshake_failure, server_context
from support.tls_certs import Pki, make_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def test_context_without_client_ca(pki: Pki) -> None:
    ctx = server_context(SyslogSettings(tls_cert_file=pki.server_cert, tls_key_file=pki.server_key))
    assert ctx.verify_mode == ssl.CERT_NONE and ctx.minimum_version == ssl.TLSVersion.TLSv1_2
    assert ctx.num_tickets == 0  # senders never read: tickets would turn their close into a reset


def test_context_with_client_ca_requires_certificates(pki: Pki, tmp_path: Path) -> None:
    combined = tmp_path / "combined.pem"
    combined.write_bytes(pki.server_cert.read_bytes() + pki.server_key.read_bytes())
    ctx = server_context(SyslogSettings(tls_cert_file=combined, tls_client_ca_file=pki.ca))
    assert ctx.verify_mode == ssl.CERT_REQUIRED


@pytest.mark.parametrize(("which", "named"), [
    ("missing_cert", "syslog.tls_cert_file"), ("key_of_another_cert", "syslog.tls_key_file"),
    ("cert_without_key", "syslog.tls_cert_file"), ("bad_ca", "syslog.tls_client_ca_file")])
def test_loading_errors_name_the_setting_and_file(pki: Pki, tmp_path: Path, which: str, named: str) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not PEM\n")
    settings = {
        "missing_cert": SyslogSettings(tls_cert_file=tmp_path / "nope.pem"),
        "key_of_another_cert": SyslogSettings(tls_cert_file=pki.server_cert, tls_key_file=pki.client_key),
        "cert_without_key": SyslogSettings(tls_cert_file=pki.server_cert),
        "bad_ca": SyslogSettings(tls_cert_file=pki.server_cert, tls_key_file=pki.server_key,
                                 tls_client_ca_file=garbage),
    }[which]
    with pytest.raises(SystemExit) as info:
        server_context(settings)
    message = str(info.value)
    assert message.startswith("syslog TLS: cannot load") and named in message


@pytest.mark.parametrize(("exc", "words"), [
    (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), "does not speak TLS"),
    (ConnectionAbortedError("SSL handshake is taking longer than 30.0 seconds"), "taking longer"),
    (ConnectionResetError(104, "Connection reset by peer"), "Connection reset by peer"),
])
def test_handshake_failures_in_words(exc: BaseException, words: str) -> None:
    assert words in handshake_failure(exc)
