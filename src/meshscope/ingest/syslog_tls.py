"""The TLS side of syslog over TLS (RFC 5425): the server context, and why a handshake failed.

The listener accepts plain TCP and upgrades each connection itself (``StreamWriter.start_tls``)
instead of handing asyncio an SSL server: asyncio reports failed handshakes only in debug mode,
and an operator whose sender speaks plain text to 6514, or presents the wrong certificate, needs
a log line that names the peer and the reason.
"""

from __future__ import annotations

import ssl

from meshscope.config import SyslogSettings

HANDSHAKE_TIMEOUT_S = 30.0


def server_context(s: SyslogSettings) -> ssl.SSLContext:
    """TLS 1.2+ with the configured certificate; client certificates required when a CA is set.

    Raises SystemExit naming the file when a certificate or key cannot be loaded."""
    assert s.tls_cert_file is not None
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    # syslog senders never read: TLS 1.3 session tickets would sit unread in their socket, and their
    # close would then be a reset that drops the last messages still unread on our side
    ctx.num_tickets = 0
    try:
        ctx.load_cert_chain(s.tls_cert_file, s.tls_key_file)
    except (OSError, ssl.SSLError) as exc:
        key = f" / syslog.tls_key_file {s.tls_key_file}" if s.tls_key_file else ""
        raise SystemExit(f"syslog TLS: cannot load syslog.tls_cert_file {s.tls_cert_file}{key}: "
                         f"{_reason(exc)}") from None
    if s.tls_client_ca_file is not None:
        try:
            ctx.load_verify_locations(cafile=s.tls_client_ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise SystemExit(f"syslog TLS: cannot load syslog.tls_client_ca_file {s.tls_client_ca_file}: "
                             f"{_reason(exc)}") from None
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def handshake_failure(exc: BaseException) -> str:
    """What went wrong in words an operator can act on."""
    reason = _reason(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate rejected: {reason} (is it signed by a CA in syslog.tls_client_ca_file?)"
    if isinstance(exc, TimeoutError):
        return f"no TLS handshake within {HANDSHAKE_TIMEOUT_S:.0f}s"
    if "HTTP_REQUEST" in reason or "WRONG_VERSION_NUMBER" in reason or "UNKNOWN_PROTOCOL" in reason:
        return f"the client does not speak TLS (plain syslog sent to the TLS port?): {reason}"
    if "PEER_DID_NOT_RETURN_A_CERTIFICATE" in reason or "CERTIFICATE_REQUIRED" in reason:
        return f"the client sent no certificate and syslog.tls_client_ca_file requires one: {reason}"
    if "CERTIFICATE_VERIFY_FAILED" in reason or "UNKNOWN_CA" in reason or "BAD_CERTIFICATE" in reason:
        return f"certificate rejected: {reason}"
    return reason


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError):
        return exc.verify_message if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message \
            else (getattr(exc, "reason", None) or str(exc))  # not every SSLError carries a reason
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
