"""A fixed log corpus for LogQL tests: three streams with logfmt, JSON and coloured plain lines.

Times are relative to ``base`` (a whole minute, recent enough for the retention TTL), so expected
answers can be written as offsets in seconds.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from meshscope.storage.executor import Executor
from meshscope.storage.sql import quote

LEVELS = ["info", "info", "warn", "error", "info"]
STATUS = {"info": 200, "warn": 404, "error": 500}
SEVERITY = {"info": 9, "warn": 13, "error": 17}


@dataclass(frozen=True)
class Line:
    offset_s: float
    labels: dict[str, str]
    body: str
    attributes: dict[str, str] = field(default_factory=dict)
    trace_id: str = ""
    severity: int = 0  # OpenTelemetry severity number (api lines have one, as OTLP lines do)


def api_lines() -> list[Line]:
    """30 logfmt lines, one every 10 s."""
    out = []
    for i in range(30):
        level = LEVELS[i % 5]
        out.append(
            Line(
                i * 10,
                {"service_name": "api", "env": "prod"},
                f"level={level} method={'GET' if i % 2 else 'POST'} path=/items/{i % 3} status={STATUS[level]} "
                f'took={i * 10}ms size={i * 100}B msg="request {i} done"',
                {"request.id": f"r{i}"},
                trace_id=f"{i:032x}",
                severity=SEVERITY[level],
            )
        )
    return out


def web_lines() -> list[Line]:
    """20 JSON lines, one every 15 s."""
    return [
        Line(
            i * 15 + 5,
            {"service_name": "web", "env": "prod"},
            json.dumps(
                {
                    "level": "error" if i % 4 == 0 else "info",
                    "user": {"id": i % 4, "name": f"user{i % 4}"},
                    "latency_ms": i * 3,
                    "message": f"page {i} rendered",
                }
            ),
        )
        for i in range(20)
    ]


def worker_lines() -> list[Line]:
    """10 coloured plain-text lines, one every 30 s; line 7 carries the rare token ``zq9xk``."""
    return [
        Line(
            i * 30 + 2,
            {"service_name": "worker", "env": "dev"},
            f"\x1b[3{i % 7}mjob {i} {'failed with code zq9xk' if i == 7 else 'finished'}\x1b[0m",
        )
        for i in range(10)
    ]


def corpus() -> list[Line]:
    return api_lines() + web_lines() + worker_lines()


def base_ns() -> int:
    """Two hours ago, on a whole minute."""
    return (int(time.time()) // 3600 * 3600 - 2 * 3600) * 10**9


def load(ex: Executor, base: int) -> None:
    rows = []
    for line in corpus():
        ts = base + int(line.offset_s * 10**9)
        labels = ", ".join(f"{quote(k)}, {quote(v)}" for k, v in line.labels.items())
        attrs = ", ".join(f"{quote(k)}, {quote(v)}" for k, v in line.attributes.items())
        rows.append(
            f"(fromUnixTimestamp64Nano(toInt64({ts})), {quote(line.labels['service_name'])}, map({labels}), "
            f"{quote(line.body)}, map({attrs}), {quote(line.trace_id)}, {line.severity})"
        )
    ex.command(
        f"INSERT INTO {ex.database}.logs (timestamp, service_name, labels, body, attributes, trace_in, "
        "severity_number) "
        f"VALUES {', '.join(rows)}"
    )
