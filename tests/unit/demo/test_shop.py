"""The five services in one event loop, calling each other through an in-process transport.

No OTel SDK is installed here (the API is a no-op), so these tests are about behaviour: the
checkout flow, compensation when payment fails, and what each forced fault answers.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from meshscope.demo.catalogue import SERVICES, parse_overrides
from meshscope.demo.peers import Peers
from meshscope.demo.products import INITIAL_STOCK
from meshscope.demo.service import service_factories
from meshscope.demo.webapp import ServiceContext

Scenario = Callable[[httpx.AsyncClient], Awaitable[None]]


class InProcess(httpx.AsyncBaseTransport):
    """Routes ``http://<service>.shop/...`` to that service's ASGI app."""

    def __init__(self) -> None:
        self.apps: dict[str, FastAPI] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        app = self.apps[request.url.host.removesuffix(".shop")]
        return await httpx.ASGITransport(app=app).handle_async_request(request)


def run_shop(state_dir: Path, scenario: Scenario, *faults: str) -> None:
    overrides = parse_overrides(faults)

    async def main() -> None:
        transport = InProcess()
        for i, s in enumerate(SERVICES):
            peers = Peers({p: f"http://{p}.shop" for p in s.peers}, transport=transport)
            ctx = ServiceContext(s.name, s.faults.with_rates(overrides.get(s.name, {})), peers, state_dir,
                                 rng=random.Random(i))
            transport.apps[s.name] = service_factories()[s.name](ctx)
        async with AsyncExitStack() as stack:
            for app in transport.apps.values():
                await stack.enter_async_context(app.router.lifespan_context(app))
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway.shop") as client:
                await scenario(client)

    # A thread of its own: a browser test earlier in the session may leave an event loop running here.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, main()).result()


# every fault off, so outcomes do not depend on the dice
CALM = ("inventory.slow=0", "inventory.error=0", "payments.decline=0", "payments.timeout=0",
        "payments.slow=0", "notifications.error=0")


async def stock_of(client: httpx.AsyncClient, item: str) -> int:
    items = (await client.get("/catalog")).json()["items"]
    return int(next(i["stock"] for i in items if i["id"] == item))


async def get_json(client: httpx.AsyncClient, path: str, status: int, **params: Any) -> Any:
    resp = await client.get(path, params=params)
    assert resp.status_code == status, resp.text
    return resp.json()


def test_checkout_reserves_charges_stores_and_notifies(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="meshscope.demo")

    async def scenario(client: httpx.AsyncClient) -> None:
        body = await get_json(client, "/checkout", 200, item="sku-mug", quantity=2, customer="ann")
        order = body["order"]
        assert (order["status"], order["amount_cents"], order["customer"]) == ("paid", 3000, "ann")
        assert await stock_of(client, "sku-mug") == INITIAL_STOCK - 2
        assert await get_json(client, f"/orders/{order['id']}", 200) == order
        for _ in range(100):  # the notification is fire-and-forget
            if "sent confirmation for order" in caplog.text:
                break
            await asyncio.sleep(0.02)

    run_shop(tmp_path, scenario, *CALM)
    assert "sent confirmation for order 1 to ann" in caplog.text


def test_declined_card_releases_the_reservation(tmp_path):
    async def scenario(client: httpx.AsyncClient) -> None:
        body = await get_json(client, "/checkout", 502, item="sku-kettle")
        assert body["error"] == "card declined"
        assert await stock_of(client, "sku-kettle") == INITIAL_STOCK
        assert (await get_json(client, "/orders/1", 200))["status"] == "payment_failed"

    run_shop(tmp_path, scenario, *CALM, "payments.decline=1")


@pytest.mark.parametrize(("fault", "reason"), [
    ("inventory.error=1", "inventory database error: database is locked"),
    ("orders.error=1", "no exchange rate"),
])
def test_forced_errors_reach_the_caller(tmp_path, fault, reason):
    async def scenario(client: httpx.AsyncClient) -> None:
        body = await get_json(client, "/checkout", 502, item="sku-scale")
        assert reason in body["error"]
        assert await stock_of(client, "sku-scale") == INITIAL_STOCK

    run_shop(tmp_path, scenario, *CALM, fault)


def test_client_errors_pass_through(tmp_path):
    async def scenario(client: httpx.AsyncClient) -> None:
        assert (await get_json(client, "/orders/12345", 404))["error"] == "no order 12345"
        assert "no item" in (await get_json(client, "/checkout", 404, item="sku-unicorn"))["error"]
        assert (await get_json(client, "/healthz", 200))["service"] == "gateway"

    run_shop(tmp_path, scenario, *CALM)
