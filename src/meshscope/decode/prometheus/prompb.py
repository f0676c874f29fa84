"""Python classes for remote_write's protobuf messages (the shape of ``schema/remote.proto``).

The hot path never parses in Python (ClickHouse reads the bodies natively); these classes serve
the rare paths: explaining why a body was refused, metadata-only requests, and encoding the
scraper's samples as the same ``WriteRequest`` bodies remote_write senders produce.
"""

from __future__ import annotations

from collections.abc import Sequence
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

PromSample = tuple[dict[str, str], int, float]  # labels incl. __name__, ms, value
PromExemplar = tuple[dict[str, str], dict[str, str], int, float]  # series labels, exemplar labels, ms, value


def encode_write_request(samples: list[PromSample], exemplars: Sequence[PromExemplar] = ()) -> bytes:
    """A ``WriteRequest`` holding one series per sample (labels sorted, as senders send them)."""
    req = WriteRequest()
    for labels, t_ms, value in samples:
        ts = req.timeseries.add()
        ts.labels.extend(_label_messages(labels))
        ts.samples.add(value=value, timestamp=t_ms)
    for labels, ex_labels, t_ms, value in exemplars:
        ts = req.timeseries.add()
        ts.labels.extend(_label_messages(labels))
        ex = ts.exemplars.add(value=value, timestamp=t_ms)
        ex.labels.extend(_label_messages(ex_labels))
    return bytes(req.SerializeToString())


def _label_messages(labels: dict[str, str]) -> list[Any]:
    label_cls = _CLASSES["Label"]
    return [label_cls(name=k, value=v) for k, v in sorted(labels.items())]
