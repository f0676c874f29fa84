"""Writing remote_write ``WriteRequest`` bodies so that the common batch costs one small insert.

The common batch has only series already stored for the day of their samples ("known": the
labels as sent hash to a stored fingerprint, so they are canonical). The fast path inserts its
samples straight into ``metric_samples`` (no views, no label work, the rows written are the exact
count) and fails on purpose at the first series that is not known or carries exemplars. It never
writes a row of a body with such a series: the stream reading that body throws before it ends,
and its rows are only written when it ends (far below min_insert_block_size_rows; other bodies'
streams may have ended: rows that collapse on replay).

Then the batch takes the steps (schema 005), after a check that writes nothing: every new
series' labels (canonicalised) must be valid, else the batch fails before any row is written, the
writer isolates the bad body, and a refused request stores none of its series (Prometheus rolls
its appender back). Step one writes the known series' samples through ``series_ingest`` and
records the attempt's exact sample count, new series and exemplars; step two reads the bodies
again to canonicalise the new labels and write their series rows, samples and exemplars; then the
known set learns the new series from ``metric_series``. ClickHouse plans every view of a table on
each insert, so keeping views and label functions off the fast path is what makes it cheap.

After a batch needed the steps, the next few go straight to them (series churn comes in bursts)
until the check finds a batch all known without exemplars: that one and the next take the fast
statement.

Targets are ReplacingMergeTrees keyed by series and time: replaying a batch (crash, retry, a fast
attempt that stopped part way) rewrites rows that collapse, so block deduplication is not needed
and is turned off.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from pathlib import Path

from meshscope.errors import BadData
from meshscope.storage.executor import Executor, Settings
from meshscope.storage.sql import quote

_NOT_FAST = "meshscope: batch has new series or exemplars"
_INVALID = "remote_write: invalid series labels"
# What the check reads of a body: sample values and exemplar labels are skipped, not decoded (~13 % less CPU)
_CHECK_STRUCTURE = ("timeseries Array(Tuple(labels Array(Tuple(name String, value String)), "
                    "samples Array(Tuple(timestamp Int64)), exemplars Array(Tuple(value Float64))))")
STEPS_AFTER_MISS = 8  # batches that go straight to the steps after one needed them


class SeriesIngest:
    """The insert procedure of the remote_write stream (an ``InsertSpec.procedure``)."""

    def __init__(self, db: str, structure: str) -> None:
        self.db = db
        self.structure = structure
        self._day: dt.date | None = None
        self._lock = threading.Lock()
        self._straight_to_steps = 0

    def __call__(self, ex: Executor, path: Path, fmt: str, settings: Settings) -> int:
        """Insert the bodies at ``path``; return the exact number of samples they held."""
        with self._lock:
            self._refresh_known(ex)
            step = {k: v for k, v in settings.items() if k != "insert_deduplication_token"}
            step.update(insert_deduplicate=0)
            if self._straight_to_steps:
                self._straight_to_steps -= 1
                return self._steps(ex, path, fmt, step)
            try:
                return ex.insert_from_file(self.fast_sql(), path, fmt, self.structure, step)
            except BadData as exc:
                if _NOT_FAST not in exc.message:
                    raise
            self._straight_to_steps = STEPS_AFTER_MISS
            return self._steps(ex, path, fmt, step)

    def _steps(self, ex: Executor, path: Path, fmt: str, settings: Settings) -> int:
        if not ex.insert_from_file(self.check_sql(), path, fmt, _CHECK_STRUCTURE, settings):
            self._straight_to_steps = 0  # the burst of new series is over: the check is a pass the fast path saves
            return ex.insert_from_file(self.fast_sql(), path, fmt, self.structure, settings)
        attempt = uuid.uuid4().hex
        step = {**settings, "log_comment": attempt}
        ex.insert_from_file(self.step_one_sql(), path, fmt, self.structure, step)
        samples, new, exemplars = self._attempt(ex, attempt)
        if new or exemplars:
            ex.insert_from_file(self.step_two_sql(attempt), path, fmt, self.structure, step)
        if new:
            ex.command(f"INSERT INTO {self.db}.metric_series_known SELECT fingerprint, day "
                       f"FROM {self.db}.metric_series WHERE day >= today() - 1 AND fingerprint IN "
                       f"(SELECT arrayJoin(new_series) FROM {self._attempt_rows(attempt)})")
        return samples

    def _attempt(self, ex: Executor, attempt: str) -> tuple[int, int, int]:
        rows = ex.rows(f"SELECT sum(samples) AS s, sum(length(new_series)) AS n, sum(exemplars) AS e "
                       f"FROM {self._attempt_rows(attempt)}")
        row = rows[0] if rows else {}
        return int(row.get("s") or 0), int(row.get("n") or 0), int(row.get("e") or 0)

    def _attempt_rows(self, attempt: str) -> str:
        return f"(SELECT * FROM {self.db}.series_ingest_attempts WHERE attempt = {quote(attempt)})"

    def _refresh_known(self, ex: Executor) -> None:
        """At start and on a new UTC day: the set of known series from metric_series (today, yesterday).

        Emptying first keeps the set bounded; until refilled, series take the slower, correct step two."""
        today = dt.datetime.now(dt.UTC).date()
        if self._day == today:
            return
        ex.command(f"TRUNCATE TABLE {self.db}.metric_series_known")
        ex.command(f"INSERT INTO {self.db}.metric_series_known SELECT fingerprint, day "
                   f"FROM {self.db}.metric_series WHERE day >= today() - 1")
        self._day = today

    def fast_sql(self) -> str:
        """Samples of a batch of known series without exemplars; fails on purpose at any other series."""
        return f"""INSERT INTO {self.db}.metric_samples (metric_name, fingerprint, timestamp, value)
SELECT metric_name, fp, s.timestamp, s.value
FROM (
    SELECT t.labels.value[indexOf(t.labels.name, '__name__')] AS metric_name, t.samples AS samples,
        cityHash64(t.labels.name, t.labels.value) AS raw_fp,
        raw_fp + throwIf(NOT ({self._known('raw_fp', 't.samples')}) OR notEmpty(t.exemplars), '{_NOT_FAST}') AS fp
    FROM {{source}} ARRAY JOIN timeseries AS t
)
ARRAY JOIN samples AS s"""

    def _known(self, fp: str, samples: str) -> str:
        """Whether the series with fingerprint-as-sent ``fp`` is stored for the one day of all its samples."""
        return (f"notEmpty({samples}) AND toDate(intDiv(arrayMin({samples}.timestamp), 1000)) "
                f"= toDate(intDiv(arrayMax({samples}.timestamp), 1000)) AND ({fp}, "
                f"toDate(intDiv(arrayMin({samples}.timestamp), 1000))) IN {self.db}.metric_series_known")

    def check_sql(self) -> str:
        """Writes nothing; fails if a new series' labels are invalid, else its row count is the number of
        series that need step two (new, or with exemplars).

        A separate pass, because one insert is not atomic: its parallel streams write blocks before
        another stream's throwIf fires."""
        labels = "meshscope_label_names(names, vals), meshscope_label_values(names, vals)"
        return f"""INSERT INTO FUNCTION null('fingerprint UInt64')
SELECT fp + throwIf(NOT known AND meshscope_labels_invalid({labels}), '{_INVALID}')
FROM (
    SELECT cityHash64(t.labels.name, t.labels.value) AS fp, {self._known('fp', 't.samples')} AS known,
        t.labels.name AS names, t.labels.value AS vals, t.exemplars AS exemplars
    FROM {{source}} ARRAY JOIN timeseries AS t
)
WHERE NOT known OR notEmpty(exemplars)"""

    def step_one_sql(self) -> str:
        """Every series as sent, with its fingerprint as sent and whether that one is stored for its day."""
        return f"""INSERT INTO {self.db}.series_ingest (raw_fingerprint, known, names, vals, samples, exemplars)
SELECT cityHash64(t.labels.name, t.labels.value) AS fp, {self._known('fp', 't.samples')},
    t.labels.name, t.labels.value, t.samples, t.exemplars
FROM {{source}} ARRAY JOIN timeseries AS t"""

    def step_two_sql(self, attempt: str) -> str:
        """The series step one found new (by its record, not the set now: the set may have grown since)."""
        return f"""INSERT INTO {self.db}.series_ingest_new (raw_fingerprint, known, names, vals, samples, exemplars)
SELECT * FROM (
    SELECT cityHash64(t.labels.name, t.labels.value) AS fp,
        fp NOT IN (SELECT arrayJoin(new_series) FROM {self._attempt_rows(attempt)}) AS known,
        t.labels.name AS names, t.labels.value AS vals, t.samples AS samples, t.exemplars AS exemplars
    FROM {{source}} ARRAY JOIN timeseries AS t
)
WHERE NOT known OR notEmpty(exemplars)"""
