"""orders: creates orders — reserve stock, charge, store in SQLite, publish ``order-events``.

A failed charge releases the reservation (a compensating call, visible in the trace) and keeps
the order as ``payment_failed``. Fault ``error``: the pricing step raises.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from pydantic import BaseModel, Field

from meshscope.demo.faults import Fault
from meshscope.demo.messaging import Message, publish
from meshscope.demo.peers import PeerError
from meshscope.demo.sqlite_db import SqliteDatabase
from meshscope.demo.webapp import ServiceContext, create_app, error_reply, mark_failed

PAYMENT_TIMEOUT_S = 2.0
TOPIC = "order-events"
COLUMNS = ("id", "customer", "item_id", "quantity", "amount_cents", "status", "created_at")

SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT, customer TEXT NOT NULL, item_id TEXT NOT NULL,
    quantity INTEGER NOT NULL, amount_cents INTEGER NOT NULL, status TEXT NOT NULL,
    created_at REAL NOT NULL);
"""


class OrderRequest(BaseModel):
    customer: str
    item_id: str
    quantity: int = Field(1, ge=1, le=20)


class PricingError(Exception):
    pass


def _price(unit_cents: int, quantity: int, fault: Fault) -> int:
    if fault is Fault.ERROR:
        raise PricingError("no exchange rate for currency 'USD' in pricing table v42")
    return unit_cents * quantity


def _insert(cur: sqlite3.Cursor, req: OrderRequest, amount_cents: int) -> int:
    cur.execute("INSERT INTO orders (customer, item_id, quantity, amount_cents, status, created_at) "
                "VALUES (?, ?, ?, ?, 'pending', ?)", (req.customer, req.item_id, req.quantity,
                                                      amount_cents, time.time()))
    return int(cur.lastrowid or 0)


def _set_status(cur: sqlite3.Cursor, order_id: int, status: str) -> None:
    cur.execute("UPDATE orders SET status = ? WHERE id = ?", (status, order_id))


def _get(cur: sqlite3.Cursor, order_id: int) -> dict[str, Any] | None:
    cur.execute(f"SELECT {', '.join(COLUMNS)} FROM orders WHERE id = ?", (order_id,))
    row = cur.fetchone()
    return None if row is None else dict(zip(COLUMNS, row, strict=False))


def create(ctx: ServiceContext) -> FastAPI:
    db = SqliteDatabase(ctx.state_dir / "orders.sqlite", SCHEMA)
    created = ctx.meter.create_counter("orders.created", unit="{order}", description="Orders paid for")
    failed = ctx.meter.create_counter("orders.failed", unit="{order}", description="Orders that failed, by reason")
    # messages go out on a plain client: the hop is traced by the PRODUCER span, not as HTTP
    queue_client = ctx.peers.plain_client()
    in_flight: set[asyncio.Task[None]] = set()

    async def cleanup() -> None:
        await asyncio.gather(*in_flight, return_exceptions=True)
        await queue_client.aclose()
        db.close()

    ctx.cleanups.append(cleanup)
    app = create_app(ctx)

    def announce(order: dict[str, Any]) -> None:
        """Fire and forget: the customer's request does not wait for the notification."""
        message = Message(topic=TOPIC, payload={"type": "order.created", "order": order})
        task = asyncio.create_task(publish(queue_client, ctx.peers.url("notifications"), message))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)

    async def release(reservation_id: int) -> None:
        """Compensation: give the stock back when the order cannot complete."""
        try:
            await ctx.peers.call("inventory", "POST", f"/reservations/{reservation_id}/release")
        except PeerError as exc:
            ctx.log.error("could not release reservation %d: %s", reservation_id, exc.reason)

    async def charge(order_id: int, req: OrderRequest, amount_cents: int, reservation_id: int) -> None:
        try:
            await ctx.peers.call("payments", "POST", "/charges", timeout_s=PAYMENT_TIMEOUT_S, json={
                "order_id": order_id, "customer": req.customer, "amount_cents": amount_cents})
        except PeerError as exc:
            failed.add(1, {"reason": "payment"})
            await db.run(lambda cur: _set_status(cur, order_id, "payment_failed"))
            await release(reservation_id)
            ctx.log.warning("order %d not paid (%s); reservation %d released", order_id, exc.reason,
                            reservation_id)
            raise

    @app.post("/orders", status_code=201)
    async def create_order(req: OrderRequest) -> Any:
        span = trace.get_current_span()
        span.set_attributes({"app.customer.id": req.customer, "app.item.id": req.item_id})
        reservation = await ctx.peers.call("inventory", "POST", "/reservations",
                                           json={"item_id": req.item_id, "quantity": req.quantity})
        try:
            with ctx.tracer.start_as_current_span("price order"):
                amount = _price(reservation["unit_price_cents"], req.quantity, ctx.faults.draw(ctx.rng))
        except PricingError as exc:
            failed.add(1, {"reason": "pricing"})
            mark_failed(span, exc)
            ctx.log.exception("pricing failed for %s", req.item_id)
            await release(reservation["reservation_id"])
            return error_reply(500, str(exc))
        order_id = await db.run(lambda cur: _insert(cur, req, amount))
        span.set_attribute("app.order.id", order_id)
        await charge(order_id, req, amount, reservation["reservation_id"])
        await db.run(lambda cur: _set_status(cur, order_id, "paid"))
        order = await db.run(lambda cur: _get(cur, order_id))
        created.add(1, {"item.id": req.item_id})
        ctx.log.info("order %d paid: %d x %s for %.2f USD", order_id, req.quantity, req.item_id, amount / 100)
        announce(order or {"id": order_id})
        return order

    @app.get("/orders/{order_id}")
    async def get_order(order_id: int) -> Any:
        order = await db.run(lambda cur: _get(cur, order_id))
        if order is None:
            return error_reply(404, f"no order {order_id}")
        return order

    return app
