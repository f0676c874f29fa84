"""The shop's product list, shared by inventory (which stocks it) and the load generator."""

from __future__ import annotations

from typing import NamedTuple


class Product(NamedTuple):
    id: str
    name: str
    price_cents: int


PRODUCTS: tuple[Product, ...] = (
    Product("sku-espresso", "Espresso beans 1kg", 2490),
    Product("sku-grinder", "Burr grinder", 12900),
    Product("sku-kettle", "Gooseneck kettle", 5900),
    Product("sku-filter", "Paper filters x100", 590),
    Product("sku-dripper", "Ceramic dripper", 2400),
    Product("sku-scale", "Brew scale", 3900),
    Product("sku-mug", "Enamel mug", 1500),
    Product("sku-tamper", "Steel tamper", 3400),
)
PRODUCT_IDS: tuple[str, ...] = tuple(p.id for p in PRODUCTS)
INITIAL_STOCK = 250
