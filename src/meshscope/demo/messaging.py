"""A message queue hop between services, traced as PRODUCER → CONSUMER spans.

The demo has no broker: the producer posts the message to the consumer's in-process queue with a
plain (uninstrumented) HTTP client, so the only spans of the hop are the messaging ones. The
trace context travels inside the message's headers, as it would through Kafka or RabbitMQ, which
is what lets the service map draw a messaging edge.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from pydantic import BaseModel, Field

SYSTEM = "meshscope_demo_queue"


class Message(BaseModel):
    """One event on a topic, carrying the producer's trace context in ``headers``."""

    topic: str
    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    headers: dict[str, str] = Field(default_factory=dict)
    payload: dict[str, Any] = Field(default_factory=dict)


def _attributes(message: Message, operation: str) -> dict[str, str]:
    return {
        "messaging.system": SYSTEM,
        "messaging.destination.name": message.topic,
        "messaging.operation.type": operation,
        "messaging.operation": operation,  # the pre-1.26 name, still what many backends read
        "messaging.message.id": message.id,
    }


async def publish(client: httpx.AsyncClient, queue_url: str, message: Message) -> None:
    """Send ``message`` under a PRODUCER span; failures are recorded, never raised."""
    tracer = trace.get_tracer("meshscope.demo.messaging")
    with tracer.start_as_current_span(f"publish {message.topic}", kind=SpanKind.PRODUCER,
                                      attributes=_attributes(message, "publish")) as span:
        propagate.inject(message.headers)
        try:
            resp = await client.post(f"{queue_url.rstrip('/')}/events", json=message.model_dump())
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, f"publish failed: {exc!r}"))


@contextmanager
def consuming(message: Message) -> Iterator[Span]:
    """A CONSUMER span whose parent is the producer's span from the message headers."""
    tracer = trace.get_tracer("meshscope.demo.messaging")
    parent = propagate.extract(message.headers)
    with tracer.start_as_current_span(f"process {message.topic}", context=parent, kind=SpanKind.CONSUMER,
                                      attributes=_attributes(message, "process")) as span:
        yield span
