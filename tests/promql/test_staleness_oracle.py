"""Staleness checked against Prometheus 2.42 itself, through ``promtool test rules``.

OpenMetrics cannot carry stale markers, but promtool's rule unit tests accept the ``stale`` series
notation. We evaluate every query with our engine, write our answers as the expected samples and
let promtool (exact comparison) report any difference. Skipped when promtool is not installed.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest

from meshscope.promql.engine import Engine
from meshscope.promql.labels import quote
from meshscope.promql.memory import MemorySource
from meshscope.promql.values import Vector
from promql.promqltest import parse_series, parse_values

INTERVAL = 60_000
SERIES = [
    'm{a="1"} 1 2 stale 4 _ _ 7 8 stale _ _ _ _ _ _ 9',
    'm{a="2"} 5 _ _ _ _ _ _ _ _ 6 stale 7 8 9 10 11',
    'm{a="3"} stale 1 1 stale 1 1 stale',
    'c{a="1"} 0 10 20 stale 5 15 stale stale 1 2 3',
    'c{a="2"} 1+1x6 stale 0+2x6',
]
QUERIES = [
    "m", "m offset 2m", "m @ 180", "c", "rate(c[5m])", "increase(c[3m])", "irate(c[4m])", "changes(m[5m])",
    "resets(c[10m])", "count_over_time(m[4m])", "last_over_time(m[3m])", "present_over_time(m[2m])",
    "absent_over_time(m{a=\"3\"}[2m])", "sum_over_time(m[5m:1m])", "count_over_time(m[5m:30s])",
    "max_over_time(c[10m] @ 600)", "timestamp(m)", "absent(m{a=\"3\"})", "sum(m)", "m + on(a) c",
    "c > bool 5", "delta(m[6m])", "avg_over_time(c[7m])", "deriv(c[5m])", "last_over_time(m[10m:2m] offset 1m)",
    "count(m) by (a)", "m unless c", "rate(c[5m])[4m:1m]",
]
TIMES = [0, 120_000, 150_000, 180_000, 240_000, 420_000, 480_000, 540_000, 600_000, 661_000, 900_000, 960_000]


def _source() -> MemorySource:
    source = MemorySource()
    for line in SERIES:
        labels, tokens = parse_series(line)
        samples = [(i * INTERVAL, v) for i, v in enumerate(parse_values(tokens)) if v is not None]
        source.add(labels, [t for t, _ in samples], [v for _, v in samples])
    return source


def _test_case(engine: Engine, expr: str, t: int) -> str | None:
    result = engine.instant(expr, t)
    if not isinstance(result, Vector):
        return None  # promtool's expression tests take instant vectors only
    if any(math.isnan(s.value) for s in result.samples):
        return None  # promtool compares exactly, and NaN never equals NaN
    lines = [f"      - expr: {quote(expr)}", f"        eval_time: {t // 1000}s"]
    lines.append("        exp_samples:" + ("" if result.samples else " []"))
    for s in result.samples:
        metric = "{" + ", ".join(f"{k}={quote(v)}" for k, v in s.labels) + "}"
        lines += [f"          - labels: {quote(metric)}", f"            value: {s.value!r}"]
    return "\n".join(lines)


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed (apt-get install prometheus)")
def test_staleness_matches_prometheus(tmp_path: Path) -> None:
    engine = Engine(_source())
    cases = [c for expr in QUERIES for t in TIMES if (c := _test_case(engine, expr, t)) is not None]
    series = "\n".join(f"      - series: {quote(line.split(' ', 1)[0])}\n        values: {quote(line.split(' ', 1)[1])}"
                       for line in SERIES)
    text = (f"rule_files: []\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n{series}\n"
            f"    promql_expr_test:\n" + "\n".join(cases) + "\n")
    (tmp_path / "stale.yml").write_text(text)
    run = subprocess.run(["promtool", "test", "rules", str(tmp_path / "stale.yml")], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert len(cases) > 200
