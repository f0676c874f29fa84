"""The resource every demo service reports, and trace ids on the console."""

from __future__ import annotations

import logging
import socket

from opentelemetry.sdk.trace import TracerProvider

from meshscope import __version__
from meshscope.demo.telemetry import CONSOLE_FORMAT, TraceFormatter, build_resource


def test_resource_names_the_service_and_the_demo():
    attrs = build_resource("payments", "payments-1").attributes
    assert attrs["service.name"] == "payments"
    assert attrs["service.version"] == __version__
    assert attrs["deployment.environment"] == "demo"
    assert attrs["host.name"] == socket.gethostname()
    assert attrs["service.instance.id"] == "payments-1"


def test_console_lines_carry_trace_ids_only_inside_spans():
    fmt = TraceFormatter(CONSOLE_FORMAT)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    assert "trace_id" not in fmt.format(record)
    with TracerProvider().get_tracer("t").start_as_current_span("s") as span:
        line = fmt.format(record)
    ctx = span.get_span_context()
    assert line.endswith(f"hello [trace_id={ctx.trace_id:032x} span_id={ctx.span_id:016x}]")
    assert not hasattr(record, "otelTraceID")  # nothing extra exported as log attributes
