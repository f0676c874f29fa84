"""Random differential testing against a real Prometheus 2.42: ``python tests/promql/fuzz_oracle.py N SEED``.

topk/bottomk are left out: on this data (0/1 and integer series, NaNs) they often meet ties, whose
winners Prometheus leaves to its heap order. Tiny float differences can also be amplified by
functions that branch on them (irate's reset test), so read each mismatch before acting on it.

Builds random but well-typed queries over the oracle data set of ``test_oracle.py`` and compares
our answers with Prometheus' in instant and range mode, printing every mismatch. Not collected
by pytest (a fixed, curated list lives in ``test_oracle.py``); run it after changing the engine.
"""

from __future__ import annotations

import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from meshscope.promql.engine import Engine  # noqa: E402
from meshscope.promql.errors import PromQLError  # noqa: E402
from meshscope.promql.memory import MemorySource  # noqa: E402
from promql import oracle  # noqa: E402
from promql.test_oracle import _ours, _series, _theirs  # noqa: E402

SELECTORS = ['cpu', 'http_requests_total', 'up', 'temp', 'version', 'edge', 'latency_bucket', 'flappy',
             'cpu{job="api"}',
             'http_requests_total{method="GET"}', '{__name__=~"cpu|temp"}', 'up{instance!="0"}', 'cpu offset 3m',
             'cpu @ 3000', 'http_requests_total offset 90s']
RANGES = ["1m", "2m", "5m", "7m30s", "10m", "30m"]
RANGE_FUNCS = ["rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes", "avg_over_time",
               "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "last_over_time",
               "stddev_over_time", "stdvar_over_time", "present_over_time"]
# No exp(): Go's amd64 math.Exp already overflows to +Inf from about 709.44 where numpy stays finite.
VECTOR_FUNCS = ["abs", "ceil", "floor", "ln", "sqrt", "sgn", "round", "timestamp", "sort", "sort_desc",
                "log2", "hour", "minute", "day_of_week", "deg", "sin"]
AGGS = ["sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"]
LABELS = ["job", "instance", "mode", "method", "le", "room"]
OPS = ["+", "-", "*", "/", "%", "^", "==", "!=", ">", "<", ">=", "<=", "and", "or", "unless", "atan2"]


class Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def matrix(self) -> str:
        if self.rng.random() < 0.2:
            return f"{self.vector(2)}[{self.rng.choice(RANGES)}:{self.rng.choice(['', '1m', '30s', '45s'])}]"
        sel = self.rng.choice(SELECTORS)
        base, _, mod = sel.partition(" ")
        return f"{base}[{self.rng.choice(RANGES)}]{(' ' + mod) if mod else ''}"

    def special(self, depth: int) -> list[str]:
        v = self.vector(depth)
        rng = self.rng
        return [
            f'label_replace({v}, "x", "$1", "{rng.choice(LABELS)}", "(.)")',
            f'label_join({v}, "x", "-", "{rng.choice(LABELS)}", "{rng.choice(LABELS)}")',
            f"histogram_quantile({rng.choice(['0.5', '0.9', '1', '0'])}, {rng.choice(['', 'sum by (le) '])}"
            f"(rate(latency_bucket[{rng.choice(RANGES)}])))",
            f'count_values("v", round({v}))', f"absent({v})", f"vector(scalar({v}))", f"clamp({v}, -1, 1)",
            f"({v}) * on(job, instance) group_left(mode) (cpu)",
            f"sum by (job) ({v}) / on(job) group_right sum by (job, instance) ({v})",
            f"{rng.choice(RANGE_FUNCS)}(({v})[{rng.choice(RANGES)}:{rng.choice(['1m', '20s'])}] "
            f"offset {rng.choice(['1m', '37s'])})",
            f"quantile_over_time({rng.choice(['0', '0.3', '1'])}, {self.matrix()})",
            f"holt_winters({self.matrix()}, 0.3, 0.7)",
            f"predict_linear({self.matrix().replace(' @ 3000', '')}, 300)",  # see DIVERGENCES in test_oracle
            f"{v} @ {rng.choice(['start()', 'end()', '3600'])}" if v in SELECTORS and "@" not in v else v,
        ]

    def vector(self, depth: int = 3) -> str:
        r = self.rng.random()
        if depth <= 0 or r < 0.25:
            return self.rng.choice(SELECTORS)
        if r < 0.45:
            return f"{self.rng.choice(RANGE_FUNCS)}({self.matrix()})"
        if r < 0.55:
            return f"{self.rng.choice(VECTOR_FUNCS)}({self.vector(depth - 1)})"
        if r < 0.7:
            grouping = self.rng.sample(LABELS, self.rng.randint(0, 2))
            clause = f" {self.rng.choice(['by', 'without'])} ({', '.join(grouping)})" if grouping or \
                self.rng.random() < 0.3 else ""
            op = self.rng.choice([*AGGS, "quantile"])
            param = {"topk": "2, ", "bottomk": "3, ", "quantile": "0.7, "}.get(op, "")
            return f"{op}{clause} ({param}{self.vector(depth - 1)})"
        if r < 0.75:
            return f"{self.vector(depth - 1)} {self.rng.choice(OPS[:12])} {self.rng.choice(['2', '0.5', '-1'])}"
        if r < 0.8:
            return self.rng.choice(self.special(depth - 1))
        op = self.rng.choice(OPS)
        on = self.rng.choice(["", f" on({self.rng.choice(LABELS)})", f" ignoring({self.rng.choice(LABELS)})"])
        lhs, rhs = self.vector(depth - 1), self.vector(depth - 1)
        return f"({lhs}) {op}{' bool' if op in OPS[6:12] and self.rng.random() < 0.5 else ''}{on} ({rhs})"


def main(count: int, seed: int) -> int:
    series = _series()
    prom = oracle.PrometheusOracle(series, Path(tempfile.mkdtemp()))
    source = MemorySource()
    for labels, samples in series.items():
        source.add(labels, [t for t, _ in samples], [v for _, v in samples])
    engine = Engine(source)
    rng = random.Random(seed)
    gen = Gen(rng)
    bad = 0
    try:
        for _ in range(count):
            expr = gen.vector()
            mode = rng.choice([(rng.randrange(0, 7_200_000, 500),), (600_000, 7_200_000, 60_000),
                               (0, 7_200_000, rng.choice([17_000, 150_000, 1_000_000]))])
            kind, expected = _theirs(prom, expr, mode)
            try:
                answer = _ours(engine, expr, mode)
            except PromQLError as exc:
                answer = ("error", [(str(exc), [])])
            exact = not oracle.needs_tolerance(expr, len(mode) > 1)
            problem = oracle.same_answer(kind, expected, *answer, ordered=False, exact=exact)
            if problem:
                bad += 1
                print(f"MISMATCH {expr!r} {mode}: {problem}")
    finally:
        prom.stop()
    print(f"{count} queries, {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300, int(sys.argv[2]) if len(sys.argv) > 2 else 1))
