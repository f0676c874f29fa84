"""The load generator's arrival schedule and request mix."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from meshscope.demo.load import Arrivals, choose_request, parse_args
from meshscope.demo.products import PRODUCT_IDS


def test_rate_rises_only_inside_bursts():
    arrivals = Arrivals(random.Random(1), rate=2.0, burst_every_s=40, burst_factor=3, burst_len_s=5)
    first = arrivals.burst_start
    assert 20 <= first <= 60
    assert arrivals.rate_at(first - 0.1) == 2.0
    assert arrivals.rate_at(first + 1) == 6.0
    assert arrivals.rate_at(first + 5.1) == 2.0
    assert arrivals.burst_start >= first + 5 + 20  # the next burst is scheduled


def test_average_rate_is_close_to_the_setting():
    rng = random.Random(5)
    arrivals = Arrivals(rng, rate=4.0, burst_factor=1.0)
    t, n = 0.0, 0
    while t < 2000:
        t += arrivals.next_gap(t)
        n += 1
    assert n / 2000 == pytest.approx(4.0, rel=0.05)


def test_rate_must_be_positive():
    with pytest.raises(ValueError):
        Arrivals(random.Random(), rate=0)


def test_request_mix():
    rng = random.Random(11)
    paths = Counter(choose_request(rng, [1, 2, 3]).path.split("/")[1] for _ in range(5000))
    assert paths["catalog"] / 5000 == pytest.approx(0.40, abs=0.03)
    assert paths["checkout"] / 5000 == pytest.approx(0.40, abs=0.03)
    assert paths["orders"] / 5000 == pytest.approx(0.20, abs=0.03)


def test_checkout_and_lookup_requests():
    rng = random.Random(2)
    reqs = [choose_request(rng, [42]) for _ in range(500)]
    checkouts = [r for r in reqs if r.path == "/checkout"]
    assert all(r.params["item"] in PRODUCT_IDS and 1 <= int(r.params["quantity"]) <= 3 for r in checkouts)
    lookups = Counter(r.path for r in reqs if r.path.startswith("/orders/"))
    assert lookups["/orders/42"] > sum(lookups.values()) / 2  # mostly known orders, some 404s
    assert len(lookups) > 1
    assert all(r.path != "/orders/42" for r in (choose_request(rng, []) for _ in range(200)))


def test_parse_args():
    opts = parse_args(["--target", "http://127.0.0.1:1", "--rate", "5", "--duration", "10", "--seed", "3"])
    assert (opts.rate, opts.duration_s, opts.seed) == (5.0, 10.0, 3)
    with pytest.raises(SystemExit):
        parse_args(["--target", "http://x", "--rate", "0"])
