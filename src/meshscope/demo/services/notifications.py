"""notifications: consumes ``order-events`` from an in-process queue and sends e-mails.

The intake (``POST /events``) only enqueues and answers 202; a worker task takes messages off the
queue and processes each under a CONSUMER span parented by the producer's span. Fault ``error``:
the mail server rejects the message (an exception recorded on the CONSUMER span).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import FastAPI
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.trace import SpanKind

from meshscope.demo.faults import Fault, jitter
from meshscope.demo.messaging import Message, consuming
from meshscope.demo.webapp import ServiceContext, create_app, error_reply, mark_failed

QUEUE_LIMIT = 1000
SMTP_HOST = "smtp.mail.example"


class MailRejected(Exception):
    pass


async def _send_mail(ctx: ServiceContext, message: Message, fault: Fault) -> None:
    order = message.payload.get("order", {})
    attrs: dict[str, str | int] = {"peer.service": "smtp", "server.address": SMTP_HOST, "server.port": 587}
    with ctx.tracer.start_as_current_span("smtp send", kind=SpanKind.CLIENT, attributes=attrs):
        await asyncio.sleep(jitter(ctx.rng, 0.01, 0.08))
        if fault is Fault.ERROR:
            raise MailRejected(f"550 5.1.1 mailbox unavailable for {order.get('customer', '?')}")
    ctx.log.info("sent confirmation for order %s to %s", order.get("id"), order.get("customer"))


def create(ctx: ServiceContext) -> FastAPI:
    queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=QUEUE_LIMIT)
    sent = ctx.meter.create_counter("notifications.sent", unit="{message}",
                                    description="Notifications processed, by outcome")

    def observe_depth(_: CallbackOptions) -> list[Observation]:
        return [Observation(queue.qsize(), {"messaging.destination.name": "order-events"})]

    ctx.meter.create_observable_gauge("notifications.queue.depth", [observe_depth], unit="{message}",
                                      description="Messages waiting to be processed")

    async def process(message: Message) -> None:
        with consuming(message) as span:
            try:
                await _send_mail(ctx, message, ctx.faults.draw(ctx.rng))
            except MailRejected as exc:
                mark_failed(span, exc)
                sent.add(1, {"outcome": "rejected"})
                ctx.log.exception("notification %s failed", message.id)
                return
        sent.add(1, {"outcome": "sent"})

    async def work() -> None:
        while True:
            message = await queue.get()
            await process(message)
            queue.task_done()

    worker: list[asyncio.Task[None]] = []

    async def start() -> None:
        worker.append(asyncio.create_task(work(), name="notifications-worker"))

    async def stop() -> None:
        for task in worker:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    ctx.startups.append(start)
    ctx.cleanups.append(stop)
    app = create_app(ctx)

    @app.post("/events", status_code=202)
    async def enqueue(message: Message) -> Any:
        try:
            queue.put_nowait(message)
        except asyncio.QueueFull:
            return error_reply(503, "queue full")
        return {"queued": message.id}

    return app
