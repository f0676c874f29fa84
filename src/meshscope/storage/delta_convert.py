"""The OTLP metrics insert procedure: store the points as sent, then turn pending delta points into
cumulative ones (schema 005, rules in :mod:`meshscope.storage.delta_sums`).

The running sums are read back from the cumulative points already stored, so they survive
restarts; the conversion runs on the writer thread right after each insert, so it is serialized
with the inserts that feed it. A crash between appending the cumulative points and emptying the
pending table is harmless: the next run finds those deltas not newer than the stored sums.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from meshscope.storage import delta_sums
from meshscope.storage.delta_sums import Point
from meshscope.storage.executor import Executor, Settings
from meshscope.storage.exp_buckets import Buckets, ExpHistogram

TEMPORALITY = "delta_to_cumulative"
_STREAM = ("meshscope_otel_stream(metric_name, metric_type, unit, is_monotonic, resource_attributes, scope_name, "
           "scope_version, attributes)")
_FIELDS = (f"{_STREAM} AS stream, toUnixTimestamp64Nano(timestamp) AS t, toUnixTimestamp64Nano(start_timestamp) AS st, "
           "value, count, sum, bucket_counts, explicit_bounds, metric_type = 'exponential_histogram' AS is_exp, "
           "exp_scale, exp_zero_count, exp_positive_offset, exp_positive_bucket_counts, exp_negative_offset, "
           "exp_negative_bucket_counts")
_RESULT_STRUCTURE = ("stream UInt64, t Int64, start Int64, value Float64, count UInt64, total Float64, "
                     "buckets Array(UInt64), scale Int32, zero_count UInt64, positive_offset Int32, "
                     "positive Array(UInt64), negative_offset Int32, negative Array(UInt64)")
# A stream's last cumulative point, as read back by ``_state`` (the names ``_point`` takes).
_LAST = ("t", "st", "value", "count", "sum", "bucket_counts", "explicit_bounds", "is_exp", "exp_scale",
         "exp_zero_count", "exp_positive_offset", "exp_positive_bucket_counts", "exp_negative_offset",
         "exp_negative_bucket_counts")


class DeltaToCumulative:
    """An ``InsertSpec.procedure`` for the OTLP metrics stream."""

    def __init__(self, db: str, sql: str, structure: str) -> None:
        self.db = db
        self.sql = sql
        self.structure = structure

    def __call__(self, ex: Executor, path: Path, fmt: str, settings: Settings) -> None:
        ex.insert_from_file(self.sql, path, fmt, self.structure, settings)
        self.convert(ex, path.parent)

    def convert(self, ex: Executor, work_dir: Path) -> int:
        """Append the cumulative points of the pending deltas; return how many were appended."""
        pending = [_point(r) for r in ex.rows(f"SELECT {_FIELDS} FROM {self.db}.otel_delta_pending")]
        if not pending:
            return 0
        cumulative = delta_sums.accumulate(self._state(ex), pending)
        if cumulative:
            self._append(ex, cumulative, work_dir)
        ex.command(f"TRUNCATE TABLE {self.db}.otel_delta_pending")
        return len(cumulative)

    def _state(self, ex: Executor) -> dict[int, Point]:
        """The last cumulative point of each pending stream, if not older than the stale window."""
        rows = ex.rows(f"""SELECT stream,
    argMax(tuple({", ".join(_LAST)}), t) AS last
FROM (SELECT {_FIELDS} FROM {self.db}.otel_metrics
      WHERE temporality = '{TEMPORALITY}'
        AND metric_name IN (SELECT metric_name FROM {self.db}.otel_delta_pending)
        AND timestamp >= (SELECT min(timestamp) FROM {self.db}.otel_delta_pending)
                         - toIntervalNanosecond({delta_sums.STALE_NS}))
WHERE stream IN (SELECT {_STREAM} FROM {self.db}.otel_delta_pending)
GROUP BY stream""")
        state = {}
        for r in rows:
            state[int(r["stream"])] = _point({"stream": r["stream"], **dict(zip(_LAST, r["last"], strict=True))})
        return state

    def _append(self, ex: Executor, points: list[Point], work_dir: Path) -> None:
        """The pending rows with cumulative values, start time and temporality, as new otel_metrics rows."""
        path = work_dir / f"cumulative-{uuid.uuid4().hex}.json"
        try:
            path.write_text("".join(json.dumps(_row(p)) + "\n" for p in points))
            ex.insert_from_file(f"""INSERT INTO {self.db}.otel_metrics
SELECT p.* EXCEPT (stream, t) REPLACE (fromUnixTimestamp64Nano(c.start) AS start_timestamp,
    '{TEMPORALITY}' AS temporality, c.value AS value, c.count AS count, c.total AS sum, c.buckets AS bucket_counts,
    c.scale AS exp_scale, c.zero_count AS exp_zero_count, c.positive_offset AS exp_positive_offset,
    c.positive AS exp_positive_bucket_counts, c.negative_offset AS exp_negative_offset,
    c.negative AS exp_negative_bucket_counts)
FROM {{source}} AS c
INNER JOIN (SELECT *, {_STREAM} AS stream, toUnixTimestamp64Nano(timestamp) AS t
            FROM {self.db}.otel_delta_pending) AS p ON p.stream = c.stream AND p.t = c.t
LIMIT 1 BY c.stream, c.t""", path, "JSONEachRow", _RESULT_STRUCTURE, {"insert_deduplicate": 0})
        finally:
            path.unlink(missing_ok=True)


def _point(row: dict[str, Any]) -> Point:
    exp = None
    if row["is_exp"]:
        exp = ExpHistogram(int(row["exp_scale"]), int(row["exp_zero_count"]), _side(row, "positive"),
                           _side(row, "negative"))
    return Point(int(row["stream"]), int(row["t"]), int(row["st"]), float(row["value"]), int(row["count"]),
                 float(row["sum"]), tuple(int(b) for b in row["bucket_counts"]),
                 tuple(float(b) for b in row["explicit_bounds"]), exp)


def _side(row: dict[str, Any], sign: str) -> Buckets:
    return Buckets(int(row[f"exp_{sign}_offset"]), tuple(int(c) for c in row[f"exp_{sign}_bucket_counts"]))


def _row(p: Point) -> dict[str, Any]:
    """A cumulative point as the JSON row ``_append`` reads (exponential buckets empty for other kinds)."""
    exp = p.exp or ExpHistogram()
    return {"stream": p.stream, "t": p.time, "start": p.start, "value": p.value, "count": p.count, "total": p.total,
            "buckets": list(p.buckets), "scale": exp.scale, "zero_count": exp.zero_count,
            "positive_offset": exp.positive.offset, "positive": list(exp.positive.counts),
            "negative_offset": exp.negative.offset, "negative": list(exp.negative.counts)}
