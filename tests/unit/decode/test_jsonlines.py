"""JSON lines: good lines kept, broken ones reported by number, URL labels applied."""

from __future__ import annotations

from meshscope.decode.jsonlines import decode_jsonlines
from meshscope.decode.log_fields import LogOptions

OPTS = LogOptions(1_800_000_000_000_000_000)


def test_good_and_broken_lines() -> None:
    body = b'{"msg": "a", "level": "error"}\n\n{broken\n"just a string"\n{"msg": "caf\xc3\xa9 \xff"}\n'
    out = decode_jsonlines(body, OPTS, {"service_name": "cli", "env": "dev"})
    assert [r.body for r in out.records] == ["a", "caf\u00e9 \ufffd"]
    assert out.rejected == 2 and [n for n, _ in out.errors] == [3, 4]
    assert out.records[0].labels == {"service_name": "cli", "job": "jsonl", "level": "error", "env": "dev"}
    assert out.records[0].service == "cli"
