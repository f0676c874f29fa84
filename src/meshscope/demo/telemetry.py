"""OpenTelemetry wiring for one demo service: traces, metrics and logs over OTLP.

Everything goes through the real SDK and exporters (gRPC or HTTP) so meshscope is fed exactly
what an instrumented production service would send. Export intervals are short so the UI fills
within seconds of starting.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass

from opentelemetry import _logs, metrics, trace
from opentelemetry.instrumentation.logging import LoggingInstrumentor
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricExporter, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from meshscope import __version__
from meshscope.demo.catalogue import OtlpProtocol

EXPORT_TIMEOUT_S = 5.0  # bounded so a service stops promptly when the server is already gone
CONSOLE_FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"


@dataclass(frozen=True)
class TelemetryConfig:
    service: str
    endpoint: str  # gRPC: host:port; HTTP: base URL such as http://localhost:4318
    protocol: OtlpProtocol = "grpc"
    metrics_interval_s: float = 5.0
    instance: str = ""


@dataclass(frozen=True)
class Telemetry:
    """The three providers of one process; ``shutdown`` flushes what is still buffered."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    logger_provider: LoggerProvider

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown(timeout_millis=EXPORT_TIMEOUT_S * 1000)
        self.logger_provider.shutdown()


def build_resource(service: str, instance: str = "") -> Resource:
    host = socket.gethostname()
    return Resource.create({
        "service.name": service,
        "service.namespace": "meshscope-demo",
        "service.version": __version__,
        "service.instance.id": instance or f"{service}@{host}",
        "deployment.environment": "demo",
        "deployment.environment.name": "demo",
        "host.name": host,
    })


def _exporters(cfg: TelemetryConfig) -> tuple[SpanExporter, MetricExporter, LogRecordExporter]:
    if cfg.protocol == "http":
        from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter as HttpLogs
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter as HttpMetrics
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpSpans

        base = cfg.endpoint.rstrip("/")
        return (HttpSpans(endpoint=f"{base}/v1/traces", timeout=EXPORT_TIMEOUT_S),
                HttpMetrics(endpoint=f"{base}/v1/metrics", timeout=EXPORT_TIMEOUT_S),
                HttpLogs(endpoint=f"{base}/v1/logs", timeout=EXPORT_TIMEOUT_S))
    from opentelemetry.exporter.otlp.proto.grpc._log_exporter import OTLPLogExporter as GrpcLogs
    from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter as GrpcMetrics
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpans

    return (GrpcSpans(endpoint=cfg.endpoint, insecure=True, timeout=EXPORT_TIMEOUT_S),
            GrpcMetrics(endpoint=cfg.endpoint, insecure=True, timeout=EXPORT_TIMEOUT_S),
            GrpcLogs(endpoint=cfg.endpoint, insecure=True, timeout=EXPORT_TIMEOUT_S))


def start_telemetry(cfg: TelemetryConfig) -> Telemetry:
    """Install global providers and the logging bridge; call once per process."""
    resource = build_resource(cfg.service, cfg.instance)
    span_exporter, metric_exporter, log_exporter = _exporters(cfg)

    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(BatchSpanProcessor(span_exporter, schedule_delay_millis=1000))
    trace.set_tracer_provider(tracer_provider)

    reader = PeriodicExportingMetricReader(
        metric_exporter, export_interval_millis=cfg.metrics_interval_s * 1000,
        export_timeout_millis=EXPORT_TIMEOUT_S * 1000)
    meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
    metrics.set_meter_provider(meter_provider)

    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(
        BatchLogRecordProcessor(log_exporter, schedule_delay_millis=1000))
    _logs.set_logger_provider(logger_provider)
    _bridge_logging()
    return Telemetry(tracer_provider, meter_provider, logger_provider)


class TraceFormatter(logging.Formatter):
    """Appends the current trace and span ids on the console, without adding record attributes
    (which the OTel handler would export as noise on every log record)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        ctx = trace.get_current_span().get_span_context()
        if not ctx.is_valid:
            return line
        return f"{line} [trace_id={ctx.trace_id:032x} span_id={ctx.span_id:016x}]"


def _bridge_logging() -> None:
    """Python ``logging`` → OTel logs (with trace and span ids), and the same ids on the console."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    console = logging.StreamHandler()
    console.setFormatter(TraceFormatter(CONSOLE_FORMAT))
    root.addHandler(console)
    # installs the OTel LoggingHandler on the root logger, using the global LoggerProvider; the
    # handler takes trace and span ids from the current context
    LoggingInstrumentor().instrument(inject_trace_context=False)
    # the exporters' own complaints (server not up yet) go to the console only: sent over OTLP
    # they would fail again and feed themselves
    for name in ("opentelemetry", "urllib3", "grpc", "httpx"):
        internal = logging.getLogger(name)
        internal.propagate = False
        internal.setLevel(logging.WARNING)
        internal.addHandler(console)
