"""Log lines from the non-OTLP doors as the write path's queued bodies, and the INSERT that stores them.

A body is JSONEachRow with one row per *stream* (service, labels) whose per-line values are
arrays; ClickHouse's ARRAY JOIN turns them into ``logs`` rows. Encoding a Loki stream of
thousands of lines is then one ``json.dumps`` of lists (C speed) rather than a dict per line,
which is what keeps Loki push above 100k lines/s in Python.
"""

from __future__ import annotations

from collections.abc import Iterable

from meshscope.decode import fastjson
from meshscope.model.log_streams import StreamRows, group_records
from meshscope.model.logs import SEVERITY_BANDS, SEVERITY_WORDS, LogRecord
from meshscope.storage.sql import quote

STRUCTURE = ("service_name String, labels Map(String, String), observed UInt64, ts Array(UInt64), "
             "body Array(String), attributes Array(Map(String, String)), trace_id Array(String), "
             "span_id Array(String), trace_flags Array(UInt8), severity_text Array(String), "
             "severity_number Array(UInt8)")
# Lone surrogates (valid JSON escapes, invalid text) are kept as written instead of failing the batch.
SETTINGS: dict[str, str | int] = {"input_format_json_throw_on_bad_escape_sequence": 0}


# A trace id written in the line itself (trace_id=…, "traceId":"…", trace.id: …) links it to its trace.
TRACE_IN_TEXT = quote(r"""(?i)trace[._]?id["'=: ]+([0-9a-f]{32})""")
# A line without a level from its door says it itself, as Loki's level detection reads it:
# ``level=warn`` / ``"level":"error"`` anywhere, or a leading ``INFO``/``ERROR`` word.
LEVEL_FIELD = quote(r"""(?i)(?:^|[\s{,"'])(?:level|lvl|severity|loglevel)["']?\s*[=:]\s*["']?([a-z]+)""")
LEVEL_WORD = quote(r"^\S{0,40}?\s?\[?(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL)\b")
_WORDS = "[" + ", ".join(quote(w) for w in SEVERITY_WORDS) + "]"
_NUMBERS = "[" + ", ".join(str(n) for n in SEVERITY_WORDS.values()) + "]"
_BANDS = "[" + ", ".join(quote(b) for b in SEVERITY_BANDS) + "]"


def _detected_severity(body: str) -> str:
    field, word = f"extract({body}, {LEVEL_FIELD})", f"extract({body}, {LEVEL_WORD})"
    found = f"lower(if({field} != '', {field}, {word}))"
    return f"toUInt8(transform({found}, {_WORDS}, {_NUMBERS}, 0))"


def insert_sql(db: str) -> str:
    return f"""INSERT INTO {db}.logs (timestamp, observed_timestamp, trace_id, span_id, trace_flags, severity_text,
    severity_number, service_name, labels, body, attributes)
SELECT fromUnixTimestamp64Nano(toInt64(e.1)), fromUnixTimestamp64Nano(toInt64(observed)),
    if(e.4 != '', e.4, lower(extract(e.2, {TRACE_IN_TEXT}))), e.5, e.6,
    if(e.8 > 0, e.7, if(sev > 0, arrayElement({_BANDS}, intDiv(sev - 1, 4) + 1), '')),
    if(e.8 > 0, e.8, {_detected_severity('e.2')}) AS sev,
    service_name, labels, e.2, e.3
FROM {{source}} ARRAY JOIN arrayZip(ts, body, attributes, trace_id, span_id, trace_flags, severity_text,
    severity_number) AS e"""


def encode(streams: Iterable[StreamRows]) -> bytes:
    """The queued body: one JSON line per non-empty stream."""
    return b"".join(fastjson.dumps(s.row()) + b"\n" for s in streams if len(s))


def encode_records(records: Iterable[LogRecord]) -> tuple[bytes, int]:
    """Body and line count for records of any streams."""
    streams = group_records(records)
    return encode(streams), sum(len(s) for s in streams)
