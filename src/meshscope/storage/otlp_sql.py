"""Native OTLP decoding in ClickHouse: the input structures and ``INSERT ... SELECT`` projections.

Queued OTLP request bodies are concatenated as length-delimited protobuf messages; ClickHouse
parses them with ``decode/otlp/schema/otlp.proto`` and these projections flatten them into rows
(§2a of ARCHITECTURE.md: about five times faster than flattening in Python). The row filters
mirror the validation in :mod:`meshscope.decode.otlp.requests`, so counts reported to clients as
rejected are exactly the rows left out here.
"""

from __future__ import annotations

from importlib import resources

from meshscope.storage.sql import quote

_ONEOF = ("Enum8('none' = 0, 'string_value' = 1, 'bool_value' = 2, 'int_value' = 3, 'double_value' = 4, "
          "'array_value' = 5, 'kvlist_value' = 6, 'bytes_value' = 7)")
_LEAF = (f"Tuple(value {_ONEOF}, string_value String, bool_value Bool, int_value Int64, double_value Float64, "
         "array_value String, kvlist_value String, bytes_value String)")
_ANY = (f"Tuple(value {_ONEOF}, string_value String, bool_value Bool, int_value Int64, double_value Float64, "
        f"array_value Tuple(values Array({_LEAF})), "
        f"kvlist_value Tuple(values Array(Tuple(key String, value {_LEAF}))), bytes_value String)")
_KV = f"Array(Tuple(key String, value {_ANY}))"
_RESOURCE = f"resource Tuple(attributes {_KV})"
_SCOPE = "scope Tuple(name String, version String)"

SPAN = (f"Tuple(trace_id String, span_id String, trace_state String, parent_span_id String, flags UInt32, "
        f"name String, kind Int32, start_time_unix_nano UInt64, end_time_unix_nano UInt64, attributes {_KV}, "
        f"dropped_attributes_count UInt32, events Array(Tuple(time_unix_nano UInt64, name String, attributes {_KV})), "
        f"dropped_events_count UInt32, links Array(Tuple(trace_id String, span_id String, trace_state String, "
        f"attributes {_KV})), dropped_links_count UInt32, status Tuple(message String, code Int32))")
TRACES_STRUCTURE = (f"resource_spans Array(Tuple({_RESOURCE}, scope_spans Array(Tuple({_SCOPE}, "
                    f"spans Array({SPAN})))))")

LOG = (f"Tuple(time_unix_nano UInt64, observed_time_unix_nano UInt64, severity_number Int32, severity_text String, "
       f"body {_ANY}, attributes {_KV}, flags UInt32, trace_id String, span_id String, event_name String)")
LOGS_STRUCTURE = (f"resource_logs Array(Tuple({_RESOURCE}, scope_logs Array(Tuple({_SCOPE}, "
                  f"log_records Array({LOG})))))")

_EXEMPLAR = (f"Array(Tuple(filtered_attributes {_KV}, time_unix_nano UInt64, value Enum8('none' = 0, "
             "'as_double' = 3, 'as_int' = 6), as_double Float64, as_int Int64, span_id String, trace_id String))")
_NUMBER_POINT = (f"Tuple(attributes {_KV}, start_time_unix_nano UInt64, time_unix_nano UInt64, "
                 f"value Enum8('none' = 0, 'as_double' = 4, 'as_int' = 6), as_double Float64, as_int Int64, "
                 f"exemplars {_EXEMPLAR}, flags UInt32)")
_HIST_POINT = (f"Tuple(attributes {_KV}, start_time_unix_nano UInt64, time_unix_nano UInt64, count UInt64, "
               f"sum Float64, bucket_counts Array(UInt64), explicit_bounds Array(Float64), exemplars {_EXEMPLAR}, "
               "flags UInt32, min Float64, max Float64)")
_EXP_POINT = (f"Tuple(attributes {_KV}, start_time_unix_nano UInt64, time_unix_nano UInt64, count UInt64, "
              "sum Float64, scale Int32, zero_count UInt64, "
              "positive Tuple(offset Int32, bucket_counts Array(UInt64)), "
              "negative Tuple(offset Int32, bucket_counts Array(UInt64)), "
              f"flags UInt32, exemplars {_EXEMPLAR}, min Float64, max Float64)")
_SUMMARY_POINT = (f"Tuple(attributes {_KV}, start_time_unix_nano UInt64, time_unix_nano UInt64, count UInt64, "
                  "sum Float64, quantile_values Array(Tuple(quantile Float64, value Float64)), flags UInt32)")
METRIC = (f"Tuple(name String, description String, unit String, "
          f"gauge Tuple(data_points Array({_NUMBER_POINT})), "
          f"sum Tuple(data_points Array({_NUMBER_POINT}), aggregation_temporality Int32, is_monotonic Bool), "
          f"histogram Tuple(data_points Array({_HIST_POINT}), aggregation_temporality Int32), "
          f"exponential_histogram Tuple(data_points Array({_EXP_POINT}), aggregation_temporality Int32), "
          f"summary Tuple(data_points Array({_SUMMARY_POINT})))")
METRICS_STRUCTURE = (f"resource_metrics Array(Tuple({_RESOURCE}, scope_metrics Array(Tuple({_SCOPE}, "
                     f"metrics Array({METRIC})))))")


def schema_text() -> str:
    return resources.files("meshscope.decode.otlp.schema").joinpath("otlp.proto").read_text()


def format_settings(message: str) -> dict[str, str | int]:
    """Settings that point ClickHouse's Protobuf format at our schema (sent inline: works remotely too)."""
    return {
        "format_schema_source": "string",
        "format_schema": schema_text(),
        "format_schema_message_name": message,
        "input_format_protobuf_oneof_presence": 1,
    }


def _leaf_json(x: str) -> str:
    return (f"multiIf({x}.value = 'string_value', toJSONString({x}.string_value), "
            f"{x}.value = 'int_value', toString({x}.int_value), "
            f"{x}.value = 'double_value', toJSONString({x}.double_value), "
            f"{x}.value = 'bool_value', if({x}.bool_value, 'true', 'false'), "
            f"{x}.value = 'bytes_value', toJSONString(base64Encode({x}.bytes_value)), "
            f"{x}.value = 'array_value', toJSONString(base64Encode({x}.array_value)), "
            f"{x}.value = 'kvlist_value', toJSONString(base64Encode({x}.kvlist_value)), 'null')")


def any_text(v: str, depth: str = "") -> str:
    """SQL turning an AnyValue tuple into the text we store: scalars as written, arrays/maps as JSON."""
    x, kv = f"x{depth}", f"kv{depth}"
    return (f"multiIf({v}.value = 'string_value', {v}.string_value, "
            f"{v}.value = 'int_value', toString({v}.int_value), "
            f"{v}.value = 'double_value', toString({v}.double_value), "
            f"{v}.value = 'bool_value', if({v}.bool_value, 'true', 'false'), "
            f"{v}.value = 'bytes_value', base64Encode({v}.bytes_value), "
            f"{v}.value = 'array_value', concat('[', arrayStringConcat(arrayMap({x} -> {_leaf_json(x)}, "
            f"{v}.array_value.values), ','), ']'), "
            f"{v}.value = 'kvlist_value', concat('{{', arrayStringConcat(arrayMap({kv} -> concat("
            f"toJSONString({kv}.key), ':', {_leaf_json(kv + '.value')}), {v}.kvlist_value.values), ','), '}}'), '')")


def attrs_map(kvs: str, depth: str = "") -> str:
    a = f"a{depth}"
    return (f"mapFromArrays(arrayMap({a} -> {a}.key, {kvs}), "
            f"arrayMap({a} -> {any_text(a + '.value', depth + '_')}, {kvs}))")


def _nanos(expr: str) -> str:
    return f"fromUnixTimestamp64Nano(toInt64({expr}))"


def _hex_id(expr: str) -> str:
    return f"lower(hex({expr}))"


_SERVICE = ("ifNull(nullIf(arrayFirst(r -> r.key = 'service.name', rs.resource.attributes).value.string_value, ''), "
            "'unknown_service')")


def _per_scope(outer: str, scopes: str, items: str, alias: str, extra: str = "") -> str:
    """FROM clause that computes resource- and scope-level values once per scope, then unnests items.

    Expressions over the resource (service name, the attribute map) evaluated after the last
    ARRAY JOIN would run once per span; here they run once per scope and are only replicated."""
    return (f"(SELECT {_SERVICE} AS svc, {attrs_map('rs.resource.attributes', 'r')} AS res, "
            f"ss.scope.name AS scope_name, ss.scope.version AS scope_version, ss.{items} AS items{extra} "
            f"FROM {{source}} ARRAY JOIN {outer} AS rs ARRAY JOIN rs.{scopes} AS ss) ARRAY JOIN items AS {alias}")
_ZERO_TRACE = "unhex('00000000000000000000000000000000')"
_ZERO_SPAN = "unhex('0000000000000000')"
VALID_SPAN = (f"length(sp.trace_id) = 16 AND sp.trace_id != {_ZERO_TRACE} AND length(sp.span_id) = 8 "
              f"AND sp.span_id != {_ZERO_SPAN} AND length(sp.parent_span_id) IN (0, 8)")
VALID_LOG = "length(lr.trace_id) IN (0, 16) AND length(lr.span_id) IN (0, 8)"


def insert_spans(db: str) -> str:
    return f"""INSERT INTO {db}.spans (timestamp, duration_ns, trace_id, span_id, parent_span_id, trace_state,
    flags, service_name, name, kind, status_code, status_message, scope_name, scope_version,
    resource_attributes, attributes, `events.timestamp`, `events.name`, `events.attributes`,
    `links.trace_id`, `links.span_id`, `links.trace_state`, `links.attributes`,
    dropped_attributes_count, dropped_events_count, dropped_links_count)
SELECT {_nanos('sp.start_time_unix_nano')}, if(sp.end_time_unix_nano > sp.start_time_unix_nano,
    sp.end_time_unix_nano - sp.start_time_unix_nano, 0),
    {_hex_id('sp.trace_id')}, {_hex_id('sp.span_id')}, {_hex_id('sp.parent_span_id')}, sp.trace_state, sp.flags,
    svc, sp.name,
    transform(sp.kind, [1, 2, 3, 4, 5], ['internal', 'server', 'client', 'producer', 'consumer'], 'unspecified'),
    transform(sp.status.code, [1, 2], ['ok', 'error'], 'unset'), sp.status.message,
    scope_name, scope_version, res, {attrs_map('sp.attributes')},
    arrayMap(e -> {_nanos('e.time_unix_nano')}, sp.events), arrayMap(e -> e.name, sp.events),
    arrayMap(e -> {attrs_map('e.attributes', 'e')}, sp.events),
    arrayMap(l -> {_hex_id('l.trace_id')}, sp.links), arrayMap(l -> {_hex_id('l.span_id')}, sp.links),
    arrayMap(l -> l.trace_state, sp.links), arrayMap(l -> {attrs_map('l.attributes', 'l')}, sp.links),
    sp.dropped_attributes_count, sp.dropped_events_count, sp.dropped_links_count
FROM {_per_scope('resource_spans', 'scope_spans', 'spans', 'sp')}
WHERE {VALID_SPAN}"""


# Resource attributes that become stream labels of OTLP logs (as Loki's OTLP door does), dots to '_'.
OTLP_LOG_LABELS = ("service.namespace", "service.instance.id", "deployment.environment",
                   "deployment.environment.name", "host.name", "cloud.region", "k8s.namespace.name",
                   "k8s.pod.name", "k8s.container.name", "k8s.deployment.name", "container.name")


def _otlp_log_labels() -> str:
    keys = "[" + ", ".join(quote(k) for k in OTLP_LOG_LABELS) + "]"
    picked = f"arrayFilter(r -> has({keys}, r.key), rs.resource.attributes)"
    return (f"mapUpdate(mapFromArrays(arrayMap(r -> replaceAll(r.key, '.', '_'), {picked}), "
            f"arrayMap(r -> {any_text('r.value', 'l')}, {picked})), map('service_name', {_SERVICE}))")


def insert_logs(db: str) -> str:
    observed = "if(lr.observed_time_unix_nano > 0, lr.observed_time_unix_nano, toUnixTimestamp64Nano(now64(9)))"
    return f"""INSERT INTO {db}.logs (timestamp, observed_timestamp, trace_in, span_id, trace_flags, severity_text,
    severity_number, service_name, labels, body, scope_name, resource_attributes, attributes)
SELECT {_nanos(f'if(lr.time_unix_nano > 0, lr.time_unix_nano, {observed})')}, {_nanos(observed)},
    {_hex_id('lr.trace_id')}, {_hex_id('lr.span_id')}, toUInt8(bitAnd(lr.flags, 255)), lr.severity_text,
    toUInt8(least(greatest(lr.severity_number, 0), 24)), svc, labels,
    {any_text('lr.body', 'b')},
    scope_name, res,
    if(lr.event_name = '', {attrs_map('lr.attributes')},
       mapUpdate({attrs_map('lr.attributes')}, map('event.name', lr.event_name)))
FROM {_per_scope('resource_logs', 'scope_logs', 'log_records', 'lr', f", {_otlp_log_labels()} AS labels")}
WHERE {VALID_LOG}"""


def _exemplars(p: str) -> str:
    return (f"arrayMap(ex -> {_nanos('ex.time_unix_nano')}, {p}.exemplars), "
            f"arrayMap(ex -> if(ex.value = 'as_int', toFloat64(ex.as_int), ex.as_double), {p}.exemplars), "
            f"arrayMap(ex -> {_hex_id('ex.trace_id')}, {p}.exemplars), "
            f"arrayMap(ex -> {_hex_id('ex.span_id')}, {p}.exemplars), "
            f"arrayMap(ex -> {attrs_map('ex.filtered_attributes', 'x')}, {p}.exemplars)")


_NO_EXEMPLARS = ("CAST([], 'Array(DateTime64(9))'), CAST([], 'Array(Float64)'), CAST([], 'Array(String)'), "
                 "CAST([], 'Array(String)'), CAST([], 'Array(Map(LowCardinality(String), String))')")
_NO_U64 = "CAST([], 'Array(UInt64)')"
_NO_F64 = "CAST([], 'Array(Float64)')"
_NO_EXP = f"toInt32(0), toUInt64(0), toInt32(0), {_NO_U64}, toInt32(0), {_NO_U64}"
_TEMPORALITY = "transform({t}, [1, 2], ['delta', 'cumulative'], 'unspecified')"


def _points(kind: str, path: str, temporality: str, monotonic: str, fields: str) -> str:
    """One kind of data point mapped to the common row tuple (every kind shares one column list)."""
    return (f"arrayMap(p -> tuple({_nanos('p.time_unix_nano')}, {_nanos('p.start_time_unix_nano')}, "
            f"'{kind}', {temporality}, {monotonic}, {attrs_map('p.attributes')}, p.flags, {fields}), m.{path})")


def _metric_points() -> str:
    number_value = "if(p.value = 'as_int', toFloat64(p.as_int), p.as_double)"
    scalar_tail = f"toUInt64(0), toFloat64(0), toFloat64(0), toFloat64(0), {_NO_U64}, {_NO_F64}, {_NO_EXP}"
    parts = [
        _points("gauge", "gauge.data_points", "'unspecified'", "false",
                f"{number_value}, {scalar_tail}, {_NO_F64}, {_NO_F64}, {_exemplars('p')}"),
        _points("sum", "sum.data_points", _TEMPORALITY.format(t="m.sum.aggregation_temporality"),
                "m.sum.is_monotonic", f"{number_value}, {scalar_tail}, {_NO_F64}, {_NO_F64}, {_exemplars('p')}"),
        _points("histogram", "histogram.data_points",
                _TEMPORALITY.format(t="m.histogram.aggregation_temporality"), "false",
                f"toFloat64(0), p.count, p.sum, p.min, p.max, p.bucket_counts, p.explicit_bounds, {_NO_EXP}, "
                f"{_NO_F64}, {_NO_F64}, {_exemplars('p')}"),
        _points("exponential_histogram", "exponential_histogram.data_points",
                _TEMPORALITY.format(t="m.exponential_histogram.aggregation_temporality"), "false",
                f"toFloat64(0), p.count, p.sum, p.min, p.max, {_NO_U64}, {_NO_F64}, p.scale, p.zero_count, "
                "p.positive.offset, p.positive.bucket_counts, p.negative.offset, p.negative.bucket_counts, "
                f"{_NO_F64}, {_NO_F64}, {_exemplars('p')}"),
        _points("summary", "summary.data_points", "'cumulative'", "false",
                f"toFloat64(0), p.count, p.sum, toFloat64(0), toFloat64(0), {_NO_U64}, {_NO_F64}, {_NO_EXP}, "
                "arrayMap(q -> q.quantile, p.quantile_values), arrayMap(q -> q.value, p.quantile_values), "
                f"{_NO_EXEMPLARS}"),
    ]
    return "arrayConcat(" + ", ".join(parts) + ")"


def insert_metrics(db: str) -> str:
    fields = ", ".join(f"pt.{i}" for i in range(1, 28))
    return f"""INSERT INTO {db}.otel_metrics (timestamp, start_timestamp, metric_type, temporality, is_monotonic,
    attributes, flags, value, count, sum, min, max, bucket_counts, explicit_bounds, exp_scale, exp_zero_count,
    exp_positive_offset, exp_positive_bucket_counts, exp_negative_offset, exp_negative_bucket_counts, quantiles,
    quantile_values, `exemplars.timestamp`, `exemplars.value`, `exemplars.trace_id`, `exemplars.span_id`,
    `exemplars.filtered_attributes`, metric_name, unit, description, service_name, resource_attributes,
    scope_name, scope_version)
SELECT {fields}, m.name, m.unit, m.description, svc, res, scope_name, scope_version
FROM {_per_scope('resource_metrics', 'scope_metrics', 'metrics', 'm')} ARRAY JOIN {_metric_points()} AS pt
WHERE m.name != ''"""

