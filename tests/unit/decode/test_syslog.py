"""syslog messages (RFC 5424, RFC 3164, malformed) and TCP framing."""

from __future__ import annotations

import time

import pytest

from meshscope.decode.log_fields import LogOptions
from meshscope.decode.syslog import parse_message
from meshscope.decode.syslog_framing import SyslogFramer

NOW = 1_800_000_000_000_000_000  # 2027-01-15T08:00:00Z
OPTS = LogOptions(NOW)


def test_rfc5424_with_structured_data_and_bom() -> None:
    msg = ('<165>1 2027-01-15T07:59:58.123456Z web-1 checkout 8710 ID47 '
           '[exampleSDID@32473 iut="3" eventSource="App\\]x"][meta trace_id="0af7651916cd43dd8448eb211c80319c"] '
           '\ufeffpayment accepted').encode()
    r = parse_message(msg, OPTS, "10.0.0.9")
    assert r is not None
    assert (r.body, r.service, r.host) == ("payment accepted", "checkout", "web-1")
    assert r.timestamp_ns == NOW - 2 * 10**9 + 123_456_000
    assert (r.severity.number, r.severity.text) == (10, "INFO")  # 165 = local4.notice
    assert r.attributes["syslog.facility"] == "local4" and r.attributes["syslog.msgid"] == "ID47"
    assert r.attributes["exampleSDID@32473.eventSource"] == "App]x"
    assert r.trace_id == "0af7651916cd43dd8448eb211c80319c"
    assert r.labels == {"service_name": "checkout", "job": "syslog", "host": "web-1", "level": "info"}


def test_rfc5424_nil_fields_and_no_message() -> None:
    r = parse_message(b"<11>1 - - - - - -", OPTS, "10.0.0.9")
    assert r is not None and r.body == "" and r.host == "10.0.0.9" and r.timestamp_ns == NOW
    assert r.service == "unknown_service" and r.severity.text == "ERROR"


def test_rfc3164() -> None:
    t = time.localtime(NOW / 1e9 - 60)
    stamp = time.strftime(f"%b {t.tm_mday:>2} %H:%M:%S", t)
    r = parse_message(f"<34>{stamp} mymachine su[123]: 'su root' failed for lonvick".encode(), OPTS)
    assert r is not None
    assert (r.service, r.host, r.body) == ("su", "mymachine", "'su root' failed for lonvick")
    assert r.timestamp_ns == NOW - 60 * 10**9 and r.severity.text == "FATAL"
    assert r.attributes["syslog.procid"] == "123" and r.attributes["syslog.facility"] == "auth"


@pytest.mark.parametrize("raw", [b"no priority at all", b"<999>1 - - - - - - x", b"<13>\xff\xfe binary"])
def test_malformed_messages_are_kept_whole(raw: bytes) -> None:
    r = parse_message(raw, OPTS)
    assert r is not None and r.attributes["syslog.malformed"] == "true"
    assert r.body and r.timestamp_ns == NOW


def test_empty_message_is_nothing() -> None:
    assert parse_message(b"\r\n", OPTS) is None


def test_framing_octet_counted_and_newline_mixed_across_chunks() -> None:
    f = SyslogFramer()
    a, b = b"<13>1 - h a - - - one", b"<13>1 - h a - - - two\nwith newline"
    stream = str(len(a)).encode() + b" " + a + str(len(b)).encode() + b" " + b + b"<13>plain line\n<13>tail"
    out = []
    for i in range(0, len(stream), 7):
        out += f.feed(stream[i:i + 7])
    assert out + f.flush() == [a, b, b"<13>plain line", b"<13>tail"]


def test_framing_cuts_oversized_messages() -> None:
    f = SyslogFramer(max_bytes=10)
    assert f.feed(b"<13>" + b"x" * 30 + b"\n<13>ok\n") == [b"<13>xxxxxx", b"<13>ok"]
    assert f.feed(b"40 " + b"y" * 40 + b"5 <13>z") == [b"y" * 10, b"<13>z"]



def test_framing_reports_a_frame_cut_short() -> None:
    whole, cut = b"<13>1 - h a - - - whole", b"<13>1 - h a - - - cut"
    f = SyslogFramer()
    assert f.feed(b"%d %s50 %s" % (len(whole), whole, cut)) == [whole]
    assert f.incomplete() == (50, len(cut))
    assert f.flush() == [cut] and f.incomplete() is None  # what arrived is kept, without its length


@pytest.mark.parametrize("tail", [b"", b"<13>newline framed, no newline yet", b"12", b"40 " + b"x" * 40])
def test_framing_nothing_incomplete(tail: bytes) -> None:
    f = SyslogFramer()
    f.feed(tail)
    assert f.incomplete() is None
