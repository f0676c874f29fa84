"""Send telemetry with the real OpenTelemetry SDK exporters (gRPC or HTTP), as applications do."""

from __future__ import annotations

import logging
import uuid
from typing import Literal

from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from support.server import ServerProcess

Transport = Literal["grpc", "http"]


def _exporters(transport: Transport, server: ServerProcess) -> tuple[object, object, object]:
    if transport == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        ep = server.otlp_grpc_endpoint
        return (OTLPSpanExporter(endpoint=ep, insecure=True), OTLPLogExporter(endpoint=ep, insecure=True),
                OTLPMetricExporter(endpoint=ep, insecure=True))
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter as HttpLogExporter
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter as HttpMetricExporter
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpSpanExporter

    base = server.otlp_http_url
    return (HttpSpanExporter(endpoint=f"{base}/v1/traces"), HttpLogExporter(endpoint=f"{base}/v1/logs"),
            HttpMetricExporter(endpoint=f"{base}/v1/metrics"))


class Telemetry:
    """Providers for one service, exporting synchronously so a test knows when data was acknowledged."""

    def __init__(self, server: ServerProcess, service: str, transport: Transport) -> None:
        span_exp, log_exp, metric_exp = _exporters(transport, server)
        self.resource = Resource.create({"service.name": service, "service.instance.id": str(uuid.uuid4()),
                                         "deployment.environment": "test"})
        self.tracer_provider = TracerProvider(resource=self.resource)
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(span_exp))  # type: ignore[arg-type]
        self.logger_provider = LoggerProvider(resource=self.resource)
        self.logger_provider.add_log_record_processor(SimpleLogRecordProcessor(log_exp))  # type: ignore[arg-type]
        self.reader = PeriodicExportingMetricReader(metric_exp, export_interval_millis=3_600_000)  # type: ignore[arg-type]
        self.meter_provider = MeterProvider(resource=self.resource, metric_readers=[self.reader])
        self.tracer = self.tracer_provider.get_tracer("meshscope-tests")
        self.meter = self.meter_provider.get_meter("meshscope-tests")
        self.logger = logging.getLogger(f"meshscope-tests.{service}.{uuid.uuid4().hex[:6]}")
        self.logger.propagate = False
        self.logger.setLevel(logging.DEBUG)
        self.logger.addHandler(LoggingHandler(logger_provider=self.logger_provider))

    def flush(self) -> None:
        self.tracer_provider.force_flush()
        self.logger_provider.force_flush()
        self.meter_provider.force_flush()

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.logger_provider.shutdown()
        self.meter_provider.shutdown()
