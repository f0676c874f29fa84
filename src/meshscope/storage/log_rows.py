"""Log lines from the non-OTLP doors as the write path's queued bodies, and the INSERT that stores them.

A body is JSONEachRow with one row per *stream* (service, labels) whose per-line values are
arrays; ClickHouse's ARRAY JOIN turns them into ``logs`` rows. Encoding a Loki stream of
thousands of lines is then one ``json.dumps`` of lists (C speed) rather than a dict per line,
which is what keeps Loki push above 100k lines/s in Python. A per-line column that is empty on
every line of the stream is sent as ``[]`` (or left out) and a level shared by all lines once
(``stream_severity_*``); ``column[i]`` past the end of an array reads as the empty value.
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
             "severity_number Array(UInt8), stream_severity_text String, stream_severity_number UInt8")
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
    return f"""INSERT INTO {db}.logs (timestamp, observed_timestamp, trace_in, span_id, trace_flags, severity_text,
    severity_number, service_name, labels, body, attributes)
SELECT fromUnixTimestamp64Nano(toInt64(t)), fromUnixTimestamp64Nano(toInt64(observed)),
    if(trace_id[i] != '', trace_id[i], lower(extract(line, {TRACE_IN_TEXT}))), span_id[i], trace_flags[i],
    if(given > 0, if(empty(severity_number), stream_severity_text, severity_text[i]),
       if(sev > 0, arrayElement({_BANDS}, intDiv(sev - 1, 4) + 1), '')),
    if((if(empty(severity_number), stream_severity_number, severity_number[i]) AS given) > 0, given,
       {_detected_severity('line')}) AS sev,
    service_name, labels, line, attributes[i]
FROM {{source}} ARRAY JOIN ts AS t, body AS line, arrayEnumerate(ts) AS i"""


def encode(streams: Iterable[StreamRows]) -> bytes:
    """The queued body: one JSON line per non-empty stream."""
    return b"".join(fastjson.dumps(s.row()) + b"\n" for s in streams if len(s))


def encode_records(records: Iterable[LogRecord]) -> tuple[bytes, int]:
    """Body and line count for records of any streams."""
    streams = group_records(records)
    return encode(streams), sum(len(s) for s in streams)
