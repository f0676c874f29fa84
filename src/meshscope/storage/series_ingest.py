"""Writing remote_write ``WriteRequest`` bodies in steps, so the common batch costs one small insert.

Step one inserts every series as sent into ``series_ingest``: samples of series already known
for their day go straight to ``metric_samples``, and the attempt's exact sample count, the
fingerprints of new series and the number of exemplars are recorded (schema 005). Only when a
batch has new series or exemplars does step two read the bodies again to check and canonicalise
those labels and write series rows, samples and exemplars; then the known set learns the new
series from ``metric_series``. ClickHouse plans every view of a table on each insert, so keeping
the label functions out of step one is what makes it cheap.

Targets are ReplacingMergeTrees keyed by series and time: replaying a batch (crash, retry)
rewrites rows that collapse, so block deduplication is not needed and is turned off.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from pathlib import Path

from meshscope.storage.executor import Executor, Settings
from meshscope.storage.sql import quote


class SeriesIngest:
    """The insert procedure of the remote_write stream (an ``InsertSpec.procedure``)."""

    def __init__(self, db: str, structure: str) -> None:
        self.db = db
        self.structure = structure
        self._day: dt.date | None = None
        self._lock = threading.Lock()

    def __call__(self, ex: Executor, path: Path, fmt: str, settings: Settings) -> int:
        """Insert the bodies at ``path``; return the exact number of samples they held."""
        with self._lock:
            self._refresh_known(ex)
            attempt = uuid.uuid4().hex
            step = {k: v for k, v in settings.items() if k != "insert_deduplication_token"}
            step.update(insert_deduplicate=0, log_comment=attempt)
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

    def step_one_sql(self) -> str:
        """Every series as sent, with its fingerprint as sent and whether that one is stored for its day."""
        return f"""INSERT INTO {self.db}.series_ingest (raw_fingerprint, known, names, vals, samples, exemplars)
SELECT cityHash64(t.labels.name, t.labels.value) AS fp,
    notEmpty(t.samples) AND (toDate(intDiv(arrayMin(t.samples.timestamp), 1000)) AS d0)
        = toDate(intDiv(arrayMax(t.samples.timestamp), 1000)) AND (fp, d0) IN {self.db}.metric_series_known,
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
