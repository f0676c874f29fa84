"""Span rows in the shapes of Jaeger's v1 query API (what Grafana's Jaeger data source reads)."""

from __future__ import annotations

from typing import Any

_STATUS = {"ok": "OK", "error": "ERROR"}


def _tag(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"key": key, "type": "bool", "value": value}
    if isinstance(value, int):
        return {"key": key, "type": "int64", "value": value}
    return {"key": key, "type": "string", "value": value}


def _tags(attrs: dict[str, str]) -> list[dict[str, Any]]:
    return [_tag(k, v) for k, v in sorted(attrs.items())]


def _span_tags(row: dict[str, Any]) -> list[dict[str, Any]]:
    tags = _tags(row["attributes"])
    if row["kind"] not in ("unspecified", ""):
        tags.append(_tag("span.kind", row["kind"]))
    if row["status_code"] in _STATUS:
        tags.append(_tag("otel.status_code", _STATUS[row["status_code"]]))
    if row["status_message"]:
        tags.append(_tag("otel.status_description", row["status_message"]))
    if row["status_code"] == "error":
        tags.append(_tag("error", True))
    if row["scope_name"]:
        tags.append(_tag("otel.scope.name", row["scope_name"]))
    if row["scope_version"]:
        tags.append(_tag("otel.scope.version", row["scope_version"]))
    return tags


def _logs(row: dict[str, Any]) -> list[dict[str, Any]]:
    logs = []
    for ts, name, attrs in zip(row["event_times"], row["event_names"], row["event_attributes"], strict=False):
        fields = [_tag("event", name)] + _tags(attrs)
        logs.append({"timestamp": int(ts) // 1000, "fields": fields})
    return logs


def _references(row: dict[str, Any]) -> list[dict[str, Any]]:
    refs = []
    if row["parent_span_id"]:
        refs.append({"refType": "CHILD_OF", "traceID": row["trace_id"], "spanID": row["parent_span_id"]})
    for tid, sid in zip(row["link_trace_ids"], row["link_span_ids"], strict=False):
        refs.append({"refType": "FOLLOWS_FROM", "traceID": tid, "spanID": sid})
    return refs


def jaeger_trace(trace_id: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One trace: spans plus the ``processes`` map (one process per service and resource)."""
    processes: dict[str, dict[str, Any]] = {}
    process_ids: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}
    spans = []
    for row in rows:
        resource = tuple(sorted(row["resource_attributes"].items()))
        key = (row["service_name"], resource)
        pid = process_ids.get(key)
        if pid is None:
            pid = f"p{len(process_ids) + 1}"
            process_ids[key] = pid
            processes[pid] = {"serviceName": row["service_name"],
                              "tags": [_tag(k, v) for k, v in resource if k != "service.name"]}
        spans.append({
            "traceID": trace_id,
            "spanID": row["span_id"],
            "operationName": row["name"],
            "references": _references(row),
            "startTime": int(row["start_ns"]) // 1000,
            "duration": int(row["duration_ns"]) // 1000,
            "tags": _span_tags(row),
            "logs": _logs(row),
            "processID": pid,
            "warnings": None,
            "flags": int(row["flags"]) & 0xFF,
        })
    return {"traceID": trace_id, "spans": spans, "processes": processes, "warnings": None}


def envelope(data: Any, total: int | None = None, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Jaeger's response envelope."""
    if total is None:
        total = len(data) if isinstance(data, list) else 0
    return {"data": data, "total": total, "limit": 0, "offset": 0, "errors": errors}
