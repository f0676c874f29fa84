"""inventory: product stock in SQLite; reserves and releases items for orders.

Faults: ``slow`` runs a deliberately heavy query (a slow ``db.system=sqlite`` span), ``error``
hits simulated lock contention (an exception with a stack trace on the server span).
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.metrics import CallbackOptions, Observation
from pydantic import BaseModel, Field

from meshscope.demo.faults import Fault
from meshscope.demo.products import INITIAL_STOCK, PRODUCTS
from meshscope.demo.sqlite_db import SqliteDatabase, transaction
from meshscope.demo.webapp import ServiceContext, create_app, error_reply, mark_failed

RESTOCK_BELOW = 20
RESTOCK_AMOUNT = 200
SLOW_SCAN_ROWS = 600_000  # ~0.2-0.5 s of SQLite work on a small machine

SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL, stock INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reservations (
    id INTEGER PRIMARY KEY AUTOINCREMENT, item_id TEXT NOT NULL, quantity INTEGER NOT NULL,
    state TEXT NOT NULL, created_at REAL NOT NULL);
""" + "".join(
    f"INSERT OR IGNORE INTO items VALUES ('{p.id}', '{p.name}', {p.price_cents}, {INITIAL_STOCK});\n"
    for p in PRODUCTS)


class ReservationRequest(BaseModel):
    item_id: str
    quantity: int = Field(1, ge=1, le=20)


class OutOfStock(Exception):
    pass


class UnknownItem(Exception):
    pass


def _lock_contention() -> None:
    raise sqlite3.OperationalError("database is locked")


def _slow_scan(cur: sqlite3.Cursor) -> None:
    """An unindexed audit query: the kind of slow span people come to a tracing UI to find."""
    cur.execute("WITH RECURSIVE scan(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM scan WHERE n < ?) "
                "SELECT count(*), sum(n % 7) FROM scan", (SLOW_SCAN_ROWS,))
    cur.fetchall()


def _list_items(cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    cur.execute("SELECT id, name, price_cents, stock FROM items ORDER BY id")
    return [dict(zip(("id", "name", "price_cents", "stock"), row, strict=False)) for row in cur.fetchall()]


def _reserve(cur: sqlite3.Cursor, req: ReservationRequest, fault: Fault) -> dict[str, Any]:
    with transaction(cur):
        cur.execute("SELECT price_cents, stock FROM items WHERE id = ?", (req.item_id,))
        row = cur.fetchone()
        if row is None:
            raise UnknownItem(req.item_id)
        price, stock = row
        if fault is Fault.ERROR:
            _lock_contention()
        if stock < req.quantity:
            raise OutOfStock(f"{req.item_id}: {stock} left, {req.quantity} wanted")
        cur.execute("UPDATE items SET stock = stock - ? WHERE id = ?", (req.quantity, req.item_id))
        cur.execute("INSERT INTO reservations (item_id, quantity, state, created_at) VALUES (?, ?, 'held', ?)",
                    (req.item_id, req.quantity, time.time()))
        reservation_id = cur.lastrowid
        stock -= req.quantity
        restocked = stock < RESTOCK_BELOW
        if restocked:
            cur.execute("UPDATE items SET stock = stock + ? WHERE id = ?", (RESTOCK_AMOUNT, req.item_id))
            stock += RESTOCK_AMOUNT
    return {"reservation_id": reservation_id, "item_id": req.item_id, "quantity": req.quantity,
            "unit_price_cents": price, "stock": stock, "restocked": restocked}


def _release(cur: sqlite3.Cursor, reservation_id: int) -> tuple[str, int] | None:
    with transaction(cur):
        cur.execute("SELECT item_id, quantity FROM reservations WHERE id = ? AND state = 'held'",
                    (reservation_id,))
        row = cur.fetchone()
        if row is None:
            return None
        cur.execute("UPDATE reservations SET state = 'released' WHERE id = ?", (reservation_id,))
        cur.execute("UPDATE items SET stock = stock + ? WHERE id = ?", (row[1], row[0]))
        cur.execute("SELECT stock FROM items WHERE id = ?", (row[0],))
        return str(row[0]), int(cur.fetchone()[0])


def create(ctx: ServiceContext) -> FastAPI:
    db = SqliteDatabase(ctx.state_dir / "inventory.sqlite", SCHEMA)
    stock: dict[str, int] = {}  # last seen levels, so the gauge never queries from the metrics thread

    def observe_stock(_: CallbackOptions) -> list[Observation]:
        return [Observation(level, {"item.id": item}) for item, level in stock.items()]

    ctx.meter.create_observable_gauge("inventory.stock.level", [observe_stock], unit="{item}",
                                      description="Units in stock per item")
    reservations = ctx.meter.create_counter("inventory.reservations", unit="{reservation}",
                                            description="Reservation attempts by outcome")

    async def cleanup() -> None:
        db.close()

    ctx.cleanups.append(cleanup)
    app = create_app(ctx)

    async def maybe_slow(fault: Fault) -> None:
        if fault is Fault.SLOW:
            ctx.log.info("running stock audit query")
            await db.run(_slow_scan)

    @app.get("/items")
    async def list_items() -> dict[str, Any]:
        await maybe_slow(ctx.faults.draw(ctx.rng))
        items = await db.run(_list_items)
        stock.update({i["id"]: i["stock"] for i in items})
        return {"items": items}

    @app.post("/reservations", status_code=201)
    async def reserve(req: ReservationRequest) -> Any:
        fault = ctx.faults.draw(ctx.rng)
        await maybe_slow(fault)
        span = trace.get_current_span()
        span.set_attributes({"app.item.id": req.item_id, "app.item.quantity": req.quantity})
        try:
            result = await db.run(lambda cur: _reserve(cur, req, fault))
        except UnknownItem:
            reservations.add(1, {"outcome": "unknown_item"})
            return error_reply(404, f"no item {req.item_id!r}")
        except OutOfStock as exc:
            reservations.add(1, {"outcome": "out_of_stock"})
            ctx.log.warning("out of stock: %s", exc)
            return error_reply(409, f"out of stock: {exc}")
        except sqlite3.Error as exc:
            reservations.add(1, {"outcome": "error"})
            mark_failed(span, exc)
            ctx.log.exception("reservation of %s failed", req.item_id)
            return error_reply(500, f"inventory database error: {exc}")
        stock[req.item_id] = result["stock"]
        reservations.add(1, {"outcome": "reserved"})
        if result.pop("restocked"):
            ctx.log.info("restocked %s to %d units", req.item_id, result["stock"])
        ctx.log.info("reserved %d x %s (reservation %s)", req.quantity, req.item_id, result["reservation_id"])
        return result

    @app.post("/reservations/{reservation_id}/release")
    async def release(reservation_id: int) -> Any:
        released = await db.run(lambda cur: _release(cur, reservation_id))
        if released is None:
            return error_reply(404, f"no held reservation {reservation_id}")
        stock[released[0]] = released[1]
        ctx.log.info("released reservation %d", reservation_id)
        return {"reservation_id": reservation_id, "state": "released"}

    return app
