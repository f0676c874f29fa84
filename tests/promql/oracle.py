"""A real Prometheus 2.42 (Debian's ``prometheus`` package) as an oracle for differential tests.

Series are written as OpenMetrics, turned into TSDB blocks with ``promtool tsdb
create-blocks-from openmetrics``, and served by a ``prometheus`` process listening on 127.0.0.1
only; queries go through its HTTP API. Stale markers cannot be written this way, so the data set
has none (the test files and ``test_staleness_oracle.py`` cover staleness).
"""

from __future__ import annotations

import math
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from support.prometheus import PrometheusProcess

Labels = tuple[tuple[str, str], ...]
Samples = list[tuple[int, float]]


def _om_value(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return repr(v)


def write_openmetrics(series: dict[Labels, Samples], path: Path) -> None:
    by_name: dict[str, list[Labels]] = {}
    for labels in series:
        by_name.setdefault(dict(labels)["__name__"], []).append(labels)
    lines = []
    for name, members in sorted(by_name.items()):
        lines.append(f"# TYPE {name} unknown")
        for labels in sorted(members):
            body = ",".join(f'{k}="{v}"' for k, v in labels if k != "__name__")
            # Prometheus truncates seconds*1000 to ms: nudge up so 4142.851 does not become 4142850 ms.
            lines.extend(f"{name}{{{body}}} {_om_value(v)} {(t + 0.001) / 1000:.6f}" for t, v in series[labels])
    lines.append("# EOF")
    path.write_text("\n".join(lines) + "\n")


class PrometheusOracle:
    """Prometheus over a fixed data set (process handling from ``support.prometheus``); call
    :meth:`stop` when done."""

    def __init__(self, series: dict[Labels, Samples], workdir: Path) -> None:
        write_openmetrics(series, workdir / "data.om")
        subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(workdir / "data.om"),
                        str(workdir / "tsdb")], check=True, capture_output=True, timeout=120)
        self.process = PrometheusProcess(workdir, "global:\n  scrape_interval: 1h\n",
                                         extra_args=["--storage.tsdb.retention.time=100y"])

    def query(self, path: str, params: dict[str, str]) -> dict[str, object]:
        return self.process.get(f"/api/v1/{path}", **params).json()  # type: ignore[no-any-return]

    def instant(self, expr: str, t_ms: int) -> dict[str, object]:
        return self.query("query", {"query": expr, "time": f"{t_ms / 1000:.3f}"})

    def range(self, expr: str, start_ms: int, end_ms: int, step_ms: int) -> dict[str, object]:
        return self.query("query_range", {"query": expr, "start": f"{start_ms / 1000:.3f}",
                                          "end": f"{end_ms / 1000:.3f}", "step": f"{step_ms / 1000:.3f}"})

    def stop(self) -> None:
        self.process.stop()


def parse_float(text: str) -> float:
    return float(text.replace("Inf", "inf"))


def as_points(result: dict[str, object]) -> Iterable[tuple[Labels, list[tuple[int, float]]]]:
    """(labels, [(t_ms, value)]) of a vector or matrix answer, in the answer's order."""
    data = result["data"]
    assert isinstance(data, dict)
    for item in data["result"]:
        labels = tuple(sorted(item["metric"].items()))
        pairs = item["values"] if "values" in item else [item["value"]]
        yield labels, [(round(float(t) * 1000), parse_float(v)) for t, v in pairs]


Answer = tuple[str, list[tuple[object, list[tuple[int, float]]]]]


LIBM = re.compile(r"\b(exp|ln|log2|log10|a?sinh?|a?cosh?|a?tanh?)\(|\^|\batan2\b")


SUBQUERY = re.compile(r"\[[^\]]*:[^\]]*\]")
ORDER_DEPENDENT = re.compile(r"\b(sum|avg|stddev|stdvar)\s*(by|without|\()")


def needs_tolerance(expr: str, range_query: bool = False) -> bool:
    """Where bit-exact comparison is not meaningful:

    * transcendental functions come from C's libm here and from Go's math package there, and may
      differ in the last bit;
    * in a range query (and inside any subquery) Prometheus 2.42 collects each intermediate result
      in a Go map, so the order in which ``sum``/``avg``/``stddev`` meet their inputs (and so
      their last bits) varies from run to run.

    Everything else must match Prometheus exactly.
    """
    ranged = range_query or bool(SUBQUERY.search(expr))
    return bool(LIBM.search(expr)) or (ranged and bool(ORDER_DEPENDENT.search(expr)))


def same_answer(kind: str, expected: list[tuple[object, list[tuple[int, float]]]], got_kind: str,
                got: list[tuple[object, list[tuple[int, float]]]], ordered: bool, exact: bool = True) -> str | None:
    """None when two answers agree (errors agree with errors), else what differs. ``exact``: bit
    for bit (NaN equals NaN); otherwise within Prometheus' test tolerance."""
    from promql.harness import almost_equal

    def equal(a: float, b: float) -> bool:
        return a == b or (a != a and b != b) if exact else almost_equal(a, b)

    if kind == "error" or got_kind == "error":
        if kind == got_kind:
            return None
        return f"Prometheus: {kind} {expected[:2]}, ours: {got_kind} {got[:2]}"
    if kind != got_kind:
        return f"result type {got_kind}, Prometheus {kind}"
    if ordered and [lb for lb, _ in got] != [lb for lb, _ in expected]:
        return "order differs"
    theirs, ours = dict(expected), dict(got)
    if set(ours) != set(theirs):
        return f"series differ: only ours {set(ours) - set(theirs)}, only theirs {set(theirs) - set(ours)}"
    for labels, points in theirs.items():
        mine = ours[labels]
        if [t for t, _ in mine] != [t for t, _ in points]:
            return f"{labels}: timestamps differ: ours {[t for t, _ in mine][:8]}, theirs {[t for t, _ in points][:8]}"
        bad = [(t, a, b) for (t, a), (_, b) in zip(points, mine, strict=True) if not equal(a, b)]
        if bad:
            return f"{labels}: (t, prometheus, ours) {bad[:5]}"
    return None
