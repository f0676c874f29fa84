"""SQL that turns Prometheus ``WriteRequest`` bodies into rows of ``metric_ingest``.

ClickHouse parses the concatenated protobuf bodies (``decode/prometheus/schema/remote.proto``),
computes each series' fingerprint and refuses invalid label sets with ``throwIf`` (the whole
batch fails, the writer retries its bodies one by one and the handler explains the bad one).
Remote_write, the scraper and the OTLP translation all insert through :func:`fingerprint`, so a
series has one identity whatever door it came through.
"""

from __future__ import annotations

from importlib import resources

_LABEL = "Tuple(name String, value String)"
WRITE_REQUEST_STRUCTURE = (
    f"timeseries Array(Tuple(labels Array({_LABEL}), samples Array(Tuple(value Float64, timestamp Int64)), "
    f"exemplars Array(Tuple(labels Array({_LABEL}), value Float64, timestamp Int64))))")
METADATA_STRUCTURE = "metric_name String, type String, help String, unit String"

METRIC_NAME_RE = "^[a-zA-Z_:][a-zA-Z0-9_:]*$"
LABEL_NAMES_RE = "^[a-zA-Z_][a-zA-Z0-9_]*(,[a-zA-Z_][a-zA-Z0-9_]*)*$"  # all names, comma-joined


def series_columns(names: str, values: str) -> str:
    """SELECT items deriving a series from label ``names``/``values`` arrays as sent.

    Empty values are dropped (absent, as in Prometheus) and the pairs sorted by name only when a
    sender did not sort them (remote_write 1.0 says senders must): sorting every series costs
    more than parsing it. ``fp`` is the series fingerprint, ``bad`` flags invalid label sets."""
    n0 = f"if(has({values}, ''), arrayFilter((n, v) -> v != '', {names}, {values}), {names})"
    v0 = f"if(has({values}, ''), arrayFilter(v -> v != '', {values}), {values})"
    return f"""{n0} AS n0, {v0} AS v0,
        arrayAll((a, b) -> a < b, arrayPopBack(n0), arrayPopFront(n0)) AS ordered,
        if(ordered, n0, arraySort(n0)) AS names, if(ordered, v0, arraySort((v, n) -> n, v0, n0)) AS vals,
        indexOf(names, '__name__') AS name_at, vals[name_at] AS metric_name,
        {fingerprint('names', 'vals')} AS fp,
        (name_at = 0 OR NOT match(metric_name, '{METRIC_NAME_RE}')
         OR NOT match(arrayStringConcat(names, ','), '{LABEL_NAMES_RE}')
         OR (NOT ordered AND arrayExists((a, b) -> a = b, arrayPopBack(names), arrayPopFront(names)))) AS bad"""


def fingerprint(names: str, values: str) -> str:
    """The series identity: cityHash64 of the label names and values sorted by name, incl. __name__."""
    return f"cityHash64({names}, {values})"


_KIND = "Enum8(\\'sample\\' = 0, \\'exemplar\\' = 1)"


def insert_remote_write(db: str) -> str:
    """Samples and exemplars of every series; per-series work is done once, before the samples join."""
    return f"""INSERT INTO {db}.metric_ingest (metric_name, fingerprint, names, vals, kind, timestamp, value,
    exemplar_labels, trace_id, span_id)
SELECT metric_name, fp + throwIf(bad, 'remote_write: invalid series labels'), names, vals, r.1, r.2, r.3, r.4,
    r.4['trace_id'], r.4['span_id']
FROM (
    SELECT {series_columns('t.labels.name', 't.labels.value')}, t.samples AS samples, t.exemplars AS exemplars
    FROM {{source}} ARRAY JOIN timeseries AS t
)
ARRAY JOIN arrayConcat(
    arrayMap(s -> (CAST('sample', '{_KIND}'), s.timestamp, s.value, CAST(map(), 'Map(String, String)')), samples),
    arrayMap(e -> (CAST('exemplar', '{_KIND}'), e.timestamp, e.value,
                   mapFromArrays(arrayMap(l -> l.name, e.labels), arrayMap(l -> l.value, e.labels))),
             exemplars)) AS r"""


def insert_metadata(db: str) -> str:
    return f"INSERT INTO {db}.metric_metadata (metric_name, type, help, unit) SELECT * FROM {{source}}"


def schema_text() -> str:
    return resources.files("meshscope.decode.prometheus.schema").joinpath("remote.proto").read_text()


def format_settings() -> dict[str, str | int]:
    return {"format_schema_source": "string", "format_schema": schema_text(),
            "format_schema_message_name": "WriteRequest"}
