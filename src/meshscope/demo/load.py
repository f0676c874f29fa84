"""Load generator: steady, slightly bursty shopping traffic against the gateway.

``python -m meshscope.demo.load --target http://127.0.0.1:PORT --rate 3``. Arrivals are Poisson
at ``rate`` per second with a short burst at a few times the rate every ~40 s, so charts have some
shape. It is an open model (requests are not held back by slow answers) with a cap on requests
in flight, so a stalled system is not buried under a pile-up. Not instrumented: traces start at
the gateway, as they do for real users' browsers.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import sys
import time
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import httpx

from meshscope.demo.products import PRODUCT_IDS

REPORT_EVERY_S = 30.0


class Request(NamedTuple):
    path: str
    params: dict[str, str]


@dataclass(frozen=True)
class LoadOptions:
    target: str
    rate: float = 3.0
    duration_s: float = 0.0  # 0: until stopped
    seed: int | None = None
    max_in_flight: int = 32


class Arrivals:
    """Poisson arrivals whose rate rises to ``burst_factor`` × for ``burst_len_s`` now and then."""

    def __init__(self, rng: random.Random, rate: float, burst_every_s: float = 40.0,
                 burst_factor: float = 3.0, burst_len_s: float = 5.0) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self.rng, self.rate = rng, rate
        self.burst_every_s, self.burst_factor, self.burst_len_s = burst_every_s, burst_factor, burst_len_s
        self.burst_start = self._next_burst(0.0)

    def _next_burst(self, after_s: float) -> float:
        return after_s + self.burst_every_s * self.rng.uniform(0.5, 1.5)

    def rate_at(self, t_s: float) -> float:
        while t_s >= self.burst_start + self.burst_len_s:
            self.burst_start = self._next_burst(self.burst_start + self.burst_len_s)
        return self.rate * (self.burst_factor if t_s >= self.burst_start else 1.0)

    def next_gap(self, t_s: float) -> float:
        """Seconds until the next request, for a request sent at ``t_s`` since the start."""
        return self.rng.expovariate(self.rate_at(t_s))


def choose_request(rng: random.Random, known_orders: Sequence[int]) -> Request:
    """The traffic mix: browse the catalog, check out, or look an order up (sometimes a bad id)."""
    u = rng.random()
    if u < 0.40:
        return Request("/catalog", {})
    if u < 0.80:
        quantity = rng.choices((1, 2, 3), weights=(6, 3, 1))[0]
        return Request("/checkout", {"item": rng.choice(PRODUCT_IDS), "quantity": str(quantity),
                                     "customer": f"cust-{rng.randrange(1, 400):03d}"})
    if known_orders and rng.random() < 0.85:
        return Request(f"/orders/{rng.choice(known_orders)}", {})
    return Request(f"/orders/{rng.randrange(100_000, 999_999)}", {})  # a 404 now and then


class LoadGenerator:
    def __init__(self, opts: LoadOptions) -> None:
        self.opts = opts
        self.rng = random.Random(opts.seed)
        self.stats: Counter[str] = Counter()
        self.known_orders: deque[int] = deque(maxlen=500)
        self.stop = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()

    async def _send(self, client: httpx.AsyncClient, req: Request) -> None:
        try:
            resp = await client.get(req.path, params=req.params)
        except httpx.HTTPError as exc:
            self.stats[type(exc).__name__] += 1
            return
        self.stats[str(resp.status_code)] += 1
        if req.path == "/checkout" and resp.status_code == 200:
            order_id = resp.json().get("order", {}).get("id")
            if isinstance(order_id, int):
                self.known_orders.append(order_id)

    def _report(self, elapsed_s: float) -> None:
        summary = " ".join(f"{k}={v}" for k, v in sorted(self.stats.items()))
        print(f"[load] {elapsed_s:.0f}s sent={sum(self.stats.values())} {summary}", flush=True)

    async def run(self) -> None:
        arrivals = Arrivals(self.rng, self.opts.rate)
        start = last_report = time.monotonic()
        async with httpx.AsyncClient(base_url=self.opts.target, timeout=10.0) as client:
            while not self.stop.is_set():
                elapsed = time.monotonic() - start
                if self.opts.duration_s and elapsed >= self.opts.duration_s:
                    break
                try:
                    await asyncio.wait_for(self.stop.wait(), arrivals.next_gap(elapsed))
                except TimeoutError:
                    pass
                if len(self._in_flight) >= self.opts.max_in_flight:
                    self.stats["skipped"] += 1
                    continue
                task = asyncio.create_task(self._send(client, choose_request(self.rng, self.known_orders)))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
                if time.monotonic() - last_report >= REPORT_EVERY_S:
                    last_report = time.monotonic()
                    self._report(last_report - start)
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        self._report(time.monotonic() - start)


def parse_args(argv: Sequence[str]) -> LoadOptions:
    p = argparse.ArgumentParser(prog="python -m meshscope.demo.load", description="demo traffic")
    p.add_argument("--target", required=True, help="gateway base URL")
    p.add_argument("--rate", type=float, default=3.0, help="requests per second (average)")
    p.add_argument("--duration", type=float, default=0.0, help="seconds; 0 runs until stopped")
    p.add_argument("--seed", type=int, default=None)
    ns = p.parse_args(list(argv))
    if ns.rate <= 0:
        p.error("--rate must be positive")
    return LoadOptions(ns.target, ns.rate, ns.duration, ns.seed)


async def _main(opts: LoadOptions) -> None:
    gen = LoadGenerator(opts)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, gen.stop.set)
    print(f"[load] {opts.rate:g} req/s against {opts.target}", flush=True)
    await gen.run()


def main(argv: Sequence[str] | None = None) -> int:
    asyncio.run(_main(parse_args(sys.argv[1:] if argv is None else argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
