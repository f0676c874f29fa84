"""Realistic synthetic log lines for the log benchmarks: services, templates with variable fields,
levels, trace ids, and a rare token, in time order.

Each line is a :class:`Line` (service, host, level, time, text); ``raw_line`` is how it would sit in
a log file (the file ripgrep searches), ``streams`` groups lines into Loki streams.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import NamedTuple

RARE_TOKEN = "zq9xkrare"
RARE_EVERY = 1_000_000  # one rare line per this many
HOSTS = ("ip-10-0-1-17", "ip-10-0-2-41", "ip-10-0-3-9")
PATHS = ("/api/v1/orders", "/api/v1/cart", "/api/v1/catalog/items", "/api/v1/users/me", "/api/v1/checkout",
         "/healthz", "/api/v1/search")
AGENTS = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", "okhttp/4.9.3", "python-httpx/0.28.1",
          "Go-http-client/1.1")
SKUS = tuple(f"sku-{i:05d}" for i in range(0, 5000, 7))
ERRORS = ("connection reset by peer", "context deadline exceeded", "timeout waiting for lock",
          "card declined: insufficient_funds", "upstream returned 503", "duplicate key value violates unique")


class Line(NamedTuple):
    service: str
    host: str
    level: str
    ts_ns: int
    text: str


_RECENT: list[str] = []  # traces in flight: a request logs several lines, in several services
_ORDERS: list[int] = []  # orders in flight: orders, payments and inventory lines name the same ones
IPS = tuple(f"{10 + i % 200}.{(i * 37) % 256}.{(i * 91) % 256}.{(i * 13) % 256}" for i in range(400))


def _zipf(r: random.Random, n: int) -> int:
    """Skewed pick in [0, n): a few users, pages and clients make most of the traffic."""
    return int(r.paretovariate(1.1) * 7) % n


def _order(r: random.Random) -> str:
    if _ORDERS and r.random() < 0.7:
        return f"ord_{_ORDERS[r.randrange(len(_ORDERS))]:x}"
    oid = r.getrandbits(40)
    _ORDERS.append(oid)
    if len(_ORDERS) > 64:
        _ORDERS.pop(0)
    return f"ord_{oid:x}"


def _latency(r: random.Random, median: int, cap: int) -> int:
    """Durations as services show them: most near the median, a long tail (log-normal), not uniform."""
    return min(cap, 1 + int(r.lognormvariate(0, 1.0) * median))


def _tid(r: random.Random) -> str:
    if _RECENT and r.random() < 0.85:
        return _RECENT[r.randrange(len(_RECENT))]
    tid = f"{r.getrandbits(128):032x}"
    _RECENT.append(tid)
    if len(_RECENT) > 32:
        _RECENT.pop(0)
    return tid


def _gateway(r: random.Random) -> tuple[str, str]:
    status = r.choices((200, 201, 204, 304, 400, 404, 500, 503), (60, 8, 5, 8, 4, 8, 4, 3))[0]
    level = "error" if status >= 500 else "warn" if status >= 400 else "info"
    item = _zipf(r, 20000)
    return level, (f'{IPS[_zipf(r, len(IPS))]} - - '
                   f'"{r.choice(("GET", "GET", "POST", "PUT"))} {PATHS[item % len(PATHS)]}/{item} HTTP/1.1" '
                   f'{status} {200 + item * 37 % 9000} "{AGENTS[item % len(AGENTS)]}" '
                   f'rt={_latency(r, 30, 900) / 1000:.3f} trace_id={_tid(r)}')


def _orders(r: random.Random) -> tuple[str, str]:
    k = r.random()
    if k < 0.7:
        return "info", (f'level=info msg="order created" order_id={_order(r)} '
                        f'user_id={_zipf(r, 50000)} items={r.randrange(1, 9)} '
                        f'amount={r.randrange(100, 99999) / 100:.2f} currency=EUR trace_id={_tid(r)}')
    if k < 0.92:
        return "debug", (f'level=debug msg="cache lookup" key=order:{_order(r)[4:]} '
                         f'hit={r.choice(("true", "false"))} took={_latency(r, 40, 900)}us')
    if k < 0.97:
        return "warn", (f'level=warn msg="slow query" table=orders took={r.randrange(200, 5000)}ms '
                        f'rows={r.randrange(1, 20000)} trace_id={_tid(r)}')
    return "error", (f'level=error msg="order failed" order_id={_order(r)} '
                     f'error="{r.choice(ERRORS)}" trace_id={_tid(r)}')


def _payments(r: random.Random) -> tuple[str, str]:
    failed = r.random() < 0.06
    level = "error" if failed else "info"
    msg = f"payment failed: {r.choice(ERRORS)}" if failed else "payment captured"
    pid, user, cents = r.getrandbits(48), _zipf(r, 50000), r.randrange(100, 500000)
    provider, tid = r.choice(("stripe", "adyen", "paypal")), _tid(r)
    return level, (f'{{"level":"{level}","msg":"{msg}","payment_id":"pay_{pid:x}","user_id":{user},'
                   f'"amount_cents":{cents},"provider":"{provider}","trace_id":"{tid}"}}')


def _inventory(r: random.Random) -> tuple[str, str]:
    k = r.random()
    thread = f"pool-{r.randrange(1, 5)}-thread-{r.randrange(1, 17)}"
    if k < 0.85:
        return "info", (f"INFO  [{thread}] c.s.inventory.StockService - reserved {r.randrange(1, 20)} units of "
                        f"{r.choice(SKUS)} for order {_order(r)} (remaining {r.randrange(5000)})")
    if k < 0.97:
        return "warn", (f"WARN  [{thread}] c.s.inventory.StockService - low stock for {r.choice(SKUS)}: "
                        f"{r.randrange(0, 10)} left, reorder threshold 10")
    return "error", (f"ERROR [{thread}] c.s.inventory.Db - {r.choice(ERRORS)}\n\tat org.postgresql.core."
                     f"v3.QueryExecutorImpl.execute(QueryExecutorImpl.java:{r.randrange(200, 400)})")


def _generic(service: str) -> object:
    def make(r: random.Random) -> tuple[str, str]:
        level = r.choices(("info", "debug", "warn", "error"), (80, 12, 6, 2))[0]
        verb = {"info": "handled", "debug": "checked", "warn": "retrying", "error": "failed"}[level]
        return level, (f"level={level} service={service} msg=\"{verb} request\" "
                       f"method={r.choice(('GET', 'POST'))} path={r.choice(PATHS)} status="
                       f"{500 if level == 'error' else 200} duration_ms={_latency(r, 25, 3000)} "
                       f"user_id={_zipf(r, 50000)} trace_id={_tid(r)}")
    return make


TEMPLATES = {"gateway": _gateway, "orders": _orders, "payments": _payments, "inventory": _inventory,
             **{s: _generic(s) for s in ("shipping", "users", "search", "recommendations")}}
WEIGHTS = {"gateway": 30, "orders": 15, "payments": 8, "inventory": 12, "shipping": 8, "users": 10,
           "search": 12, "recommendations": 5}


def lines(n: int, start_ns: int, span_s: float, seed: int = 7) -> Iterator[Line]:
    """``n`` lines spread evenly over ``span_s`` seconds from ``start_ns``."""
    r = random.Random(seed)
    _RECENT.clear()
    _ORDERS.clear()
    pick = [s for s, w in WEIGHTS.items() for _ in range(w)]
    step = int(span_s * 1e9 / max(n, 1))
    for i in range(n):
        service = pick[r.randrange(len(pick))]
        level, text = TEMPLATES[service](r)  # type: ignore[operator]
        if i % RARE_EVERY == RARE_EVERY // 2:
            text += f" [{RARE_TOKEN}]"
        yield Line(service, HOSTS[i % 3], level, start_ns + i * step, text)


def raw_line(line: Line) -> str:
    """The line as a log file holds it: time, level, service, host, text."""
    ns = line.ts_ns
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 10**9)) + f".{ns % 10**9 // 1000:06d}Z"
    return f"{stamp} {line.level.upper():5} {line.service} {line.host} {line.text}"
