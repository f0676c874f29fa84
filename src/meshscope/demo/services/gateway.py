"""gateway: the shop's public API, the entry point of every trace the load generator starts."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from opentelemetry import trace

from meshscope.demo.peers import PeerError
from meshscope.demo.products import PRODUCT_IDS
from meshscope.demo.webapp import ServiceContext, create_app

ORDER_TIMEOUT_S = 5.0


def create(ctx: ServiceContext) -> FastAPI:
    checkouts = ctx.meter.create_counter("gateway.checkouts", unit="{checkout}",
                                         description="Checkouts by outcome")
    app = create_app(ctx)

    @app.get("/catalog")
    async def catalog() -> Any:
        return await ctx.peers.call("inventory", "GET", "/items")

    @app.get("/checkout")
    async def checkout(item: str | None = None, quantity: int = 1, customer: str = "guest") -> Any:
        item_id = item or ctx.rng.choice(PRODUCT_IDS)
        trace.get_current_span().set_attributes({"app.customer.id": customer, "app.item.id": item_id})
        try:
            order = await ctx.peers.call("orders", "POST", "/orders", timeout_s=ORDER_TIMEOUT_S,
                                         json={"customer": customer, "item_id": item_id, "quantity": quantity})
        except PeerError as exc:
            checkouts.add(1, {"outcome": "failed", "http.response.status_code": exc.status})
            raise
        checkouts.add(1, {"outcome": "ok"})
        return {"order": order}

    @app.get("/orders/{order_id}")
    async def order(order_id: int) -> Any:
        return await ctx.peers.call("orders", "GET", f"/orders/{order_id}")

    return app
