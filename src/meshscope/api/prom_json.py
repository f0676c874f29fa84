"""Prometheus' JSON shapes: the ``{status, data, errorType, error, warnings}`` envelope and results.

Sample values are strings formatted like Go's ``strconv.FormatFloat(v, 'f', -1, 64)`` (``"1"``,
``"0.00001"``, ``"NaN"``, ``"+Inf"``); times are Unix seconds with millisecond fractions. Range
results are written as text directly: a dashboard query can return hundreds of thousands of points.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import numpy.typing as npt
from fastapi.responses import Response

from meshscope.promql.labels import Labels
from meshscope.promql.values import Matrix, QueryValue, Scalar, String, Vector

ERROR_STATUS = {"bad_data": 400, "execution": 422, "timeout": 503, "canceled": 503, "unavailable": 503,
                "not_found": 404, "internal": 500}


def format_value(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    text = repr(v)
    if "e" in text:
        return np.format_float_positional(v, trim="-")
    return text


def format_values(values: npt.NDArray[np.float64]) -> list[str]:
    """:func:`format_value` of every element; integers and plain decimals (no exponent in
    ``repr``, which needs 1e-4 <= |v| < 1e16) without a Python call per value."""
    floats = values.tolist()
    if len(floats) < 32:  # a few points: the array passes would cost more than they save
        return [format_value(v) for v in floats]
    size = np.abs(values)
    integral = (size < 1e15) & (values == np.trunc(values))  # NaN and ±Inf are not
    if integral.all():
        return list(map(str, values.astype(np.int64).tolist()))
    text = list(map(repr, floats))
    for i, n in zip(np.flatnonzero(integral).tolist(), values[integral].astype(np.int64).tolist(), strict=True):
        text[i] = str(n)
    for i in np.flatnonzero(~integral & ~((size >= 1e-3) & (size < 1e15))).tolist():
        text[i] = format_value(floats[i])
    return text


def format_time(t_ms: int) -> str:
    return str(t_ms // 1000) if t_ms % 1000 == 0 else repr(t_ms / 1000)


def _metric(labels: Labels) -> str:
    return json.dumps(dict(labels), ensure_ascii=False, separators=(",", ":"))


def _point(t_ms: int, v: float) -> str:
    return f'[{format_time(t_ms)},"{format_value(v)}"]'


def result_json(value: QueryValue) -> str:
    """The ``data`` member of a query answer."""
    if isinstance(value, Vector):
        items = ",".join(f'{{"metric":{_metric(s.labels)},"value":{_point(s.t_ms, s.value)}}}'
                         for s in value.samples)
        return f'{{"resultType":"vector","result":[{items}]}}'
    if isinstance(value, Matrix):
        times: dict[int, str] = {}  # range results share their steps
        series = []
        for s in value.series:
            stamps = [times.get(t) or times.setdefault(t, format_time(t)) for t in s.timestamps.tolist()]
            pairs = zip(stamps, format_values(s.values), strict=True)
            points = ",".join([f'[{t},"{v}"]' for t, v in pairs])
            series.append(f'{{"metric":{_metric(s.labels)},"values":[{points}]}}')
        return f'{{"resultType":"matrix","result":[{",".join(series)}]}}'
    if isinstance(value, Scalar):
        return f'{{"resultType":"scalar","result":{_point(value.t_ms, value.value)}}}'
    assert isinstance(value, String)
    return f'{{"resultType":"string","result":[{format_time(value.t_ms)},{json.dumps(value.value)}]}}'


def success_raw(data_json: str, warnings: list[str] | None = None) -> Response:
    extra = f',"warnings":{json.dumps(warnings)}' if warnings else ""
    return Response(f'{{"status":"success","data":{data_json}{extra}}}', media_type="application/json")


def success(data: Any, warnings: list[str] | None = None) -> Response:
    return success_raw(json.dumps(data, ensure_ascii=False, separators=(",", ":")), warnings)


def error(error_type: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"status": "error", "errorType": error_type, "error": message})
    return Response(body, ERROR_STATUS.get(error_type, 500), headers, media_type="application/json")
