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
LABEL_NAME_RE = "^[a-zA-Z_][a-zA-Z0-9_]*$"


def fingerprint(sorted_pairs: str) -> str:
    """The series identity: cityHash64 of ``Array(Tuple(String, String))`` sorted by name, incl. __name__."""
    return f"cityHash64({sorted_pairs})"


def sorted_pairs(labels: str) -> str:
    """Label pairs without empty values (absent, as in Prometheus), sorted by name."""
    return f"arraySort(arrayFilter(l -> l.2 != '', arrayMap(l -> (l.name, l.value), {labels})))"


def _invalid(pairs: str) -> str:
    names = f"arrayMap(l -> l.1, {pairs})"
    return (f"(NOT has({names}, '__name__') "
            f"OR NOT match(arrayFirst(l -> l.1 = '__name__', {pairs}).2, '{METRIC_NAME_RE}') "
            f"OR NOT arrayAll(n -> n = '__name__' OR match(n, '{LABEL_NAME_RE}'), {names}) "
            f"OR length(arrayDistinct({names})) != length({names}))")


def insert_remote_write(db: str) -> str:
    """Samples and exemplars of every series; per-series work is done once, before the samples join."""
    return f"""INSERT INTO {db}.metric_ingest (metric_name, fingerprint, labels, kind, timestamp, value,
    exemplar_labels, trace_id, span_id)
SELECT metric_name, fp + throwIf(bad, 'remote_write: invalid series labels'), labels, r.1, r.2, r.3, r.4,
    r.4['trace_id'], r.4['span_id']
FROM (
    SELECT {sorted_pairs('t.labels')} AS pairs, {_invalid('pairs')} AS bad, {fingerprint('pairs')} AS fp,
        arrayFirst(l -> l.1 = '__name__', pairs).2 AS metric_name,
        mapFromArrays(arrayMap(l -> l.1, arrayFilter(l -> l.1 != '__name__', pairs)),
                      arrayMap(l -> l.2, arrayFilter(l -> l.1 != '__name__', pairs))) AS labels,
        t.samples AS samples, t.exemplars AS exemplars
    FROM {{source}} ARRAY JOIN timeseries AS t
)
ARRAY JOIN arrayConcat(
    arrayMap(s -> (CAST('sample', 'Enum8(\\'sample\\' = 0, \\'exemplar\\' = 1)'), s.timestamp, s.value,
                   CAST(map(), 'Map(String, String)')), samples),
    arrayMap(e -> (CAST('exemplar', 'Enum8(\\'sample\\' = 0, \\'exemplar\\' = 1)'), e.timestamp, e.value,
                   mapFromArrays(arrayMap(l -> l.name, e.labels), arrayMap(l -> l.value, e.labels))),
             exemplars)) AS r"""


def insert_metadata(db: str) -> str:
    return f"INSERT INTO {db}.metric_metadata (metric_name, type, help, unit) SELECT * FROM {{source}}"


def schema_text() -> str:
    return resources.files("meshscope.decode.prometheus.schema").joinpath("remote.proto").read_text()


def format_settings() -> dict[str, str | int]:
    return {"format_schema_source": "string", "format_schema": schema_text(),
            "format_schema_message_name": "WriteRequest"}
