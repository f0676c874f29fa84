"""payments: charges cards through an external card processor (simulated, not instrumented).

The processor call is a CLIENT span with ``peer.service=card-processor`` and no server side, so
the service map shows it as a virtual node. Faults: ``decline`` (502 "card declined"),
``timeout`` (the processor hangs longer than orders waits), ``slow`` (a slow processor span).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from pydantic import BaseModel, Field

from meshscope.demo.faults import Fault, jitter
from meshscope.demo.webapp import ServiceContext, create_app, error_reply, mark_failed

PROCESSOR_HOST = "api.card-processor.example"
HANG_S = 3.0  # longer than orders' 2 s timeout for payments


class ChargeRequest(BaseModel):
    order_id: int
    customer: str
    amount_cents: int = Field(gt=0)
    currency: str = "USD"


class CardDeclined(Exception):
    """The processor refused the card; the message is what the customer would see."""


class ProcessorTimeout(Exception):
    pass


def _processor_delay(ctx: ServiceContext, fault: Fault) -> float:
    if fault is Fault.TIMEOUT:
        return HANG_S
    if fault is Fault.SLOW:
        return jitter(ctx.rng, 0.6, 1.5)
    return jitter(ctx.rng, 0.02, 0.12)


async def _authorize(ctx: ServiceContext, req: ChargeRequest, fault: Fault) -> str:
    """The call to the card processor, as a CLIENT span to an uninstrumented peer."""
    attrs: dict[str, str | int] = {
        "peer.service": "card-processor", "server.address": PROCESSOR_HOST, "server.port": 443,
        "http.request.method": "POST", "url.full": f"https://{PROCESSOR_HOST}/v1/authorizations"}
    with ctx.tracer.start_as_current_span("POST /v1/authorizations", kind=SpanKind.CLIENT,
                                          attributes=attrs, record_exception=False) as span:
        await asyncio.sleep(_processor_delay(ctx, fault))
        if fault is Fault.TIMEOUT:
            span.set_attribute("error.type", "timeout")
            span.set_status(Status(StatusCode.ERROR, "processor did not answer"))
            raise ProcessorTimeout(f"{PROCESSOR_HOST} did not answer within {HANG_S:g}s")
        if fault is Fault.DECLINE:
            span.set_attribute("http.response.status_code", 402)
            span.set_status(Status(StatusCode.ERROR, "card declined"))
            raise CardDeclined("card declined: insufficient funds")
        span.set_attribute("http.response.status_code", 200)
        return f"ch_{req.order_id}_{ctx.rng.randrange(16**8):08x}"


def create(ctx: ServiceContext) -> FastAPI:
    amounts = ctx.meter.create_histogram(
        "payments.amount", unit="USD", description="Amount of each charge attempt",
        explicit_bucket_boundaries_advisory=[5, 10, 25, 50, 100, 250, 500, 1000])
    charges = ctx.meter.create_counter("payments.charges", unit="{charge}",
                                       description="Charge attempts by outcome")
    app = create_app(ctx)

    @app.post("/charges")
    async def charge(req: ChargeRequest) -> Any:
        fault = ctx.faults.draw(ctx.rng)
        span = trace.get_current_span()
        span.set_attributes({"app.order.id": req.order_id, "app.payment.amount": req.amount_cents / 100,
                             "app.payment.currency": req.currency})
        amounts.record(req.amount_cents / 100, {"currency": req.currency})
        try:
            charge_id = await _authorize(ctx, req, fault)
        except CardDeclined as exc:
            charges.add(1, {"outcome": "declined"})
            mark_failed(span, exc)
            ctx.log.warning("order %d: %s (customer %s)", req.order_id, exc, req.customer)
            return error_reply(502, "card declined")
        except ProcessorTimeout as exc:
            charges.add(1, {"outcome": "timeout"})
            mark_failed(span, exc)
            ctx.log.error("order %d: %s", req.order_id, exc)
            return error_reply(504, str(exc))
        charges.add(1, {"outcome": "charged"})
        ctx.log.info("charged %.2f %s for order %d (%s)", req.amount_cents / 100, req.currency,
                     req.order_id, charge_id)
        return {"charge_id": charge_id, "order_id": req.order_id, "status": "captured"}

    return app
