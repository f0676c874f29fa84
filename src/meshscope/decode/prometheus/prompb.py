"""Python classes for remote_write's protobuf messages (the shape of ``schema/remote.proto``).

The hot path never parses in Python (ClickHouse reads the bodies natively); these classes serve
the rare paths: explaining why a body was refused, metadata-only requests, and encoding the
scraper's samples as the same ``WriteRequest`` bodies remote_write senders produce.
"""

from __future__ import annotations

from typing import Any

from meshscope.decode.proto_classes import TYPES, Field, message_classes

_MESSAGES: dict[str, list[Field]] = {
    "Label": [("name", 1, TYPES.TYPE_STRING, ""), ("value", 2, TYPES.TYPE_STRING, "")],
    "Sample": [("value", 1, TYPES.TYPE_DOUBLE, ""), ("timestamp", 2, TYPES.TYPE_INT64, "")],
    "Exemplar": [("labels", 1, TYPES.TYPE_MESSAGE, "Label"), ("value", 2, TYPES.TYPE_DOUBLE, ""),
                 ("timestamp", 3, TYPES.TYPE_INT64, "")],
    "TimeSeries": [("labels", 1, TYPES.TYPE_MESSAGE, "Label"), ("samples", 2, TYPES.TYPE_MESSAGE, "Sample"),
                   ("exemplars", 3, TYPES.TYPE_MESSAGE, "Exemplar")],
    "MetricMetadata": [("type", 1, TYPES.TYPE_INT32, ""), ("metric_family_name", 2, TYPES.TYPE_STRING, ""),
                       ("help", 4, TYPES.TYPE_STRING, ""), ("unit", 5, TYPES.TYPE_STRING, "")],
    "WriteRequest": [("timeseries", 1, TYPES.TYPE_MESSAGE, "TimeSeries"),
                     ("metadata", 3, TYPES.TYPE_MESSAGE, "MetricMetadata")],
}
METRIC_TYPES = ("unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset")

_CLASSES = message_classes("meshscope.prompb", _MESSAGES)
WriteRequest: Any = _CLASSES["WriteRequest"]
TimeSeries: Any = _CLASSES["TimeSeries"]
