"""What ``meshscope agent status`` shows: per file offsets and lag, the spool, the counters.

The running agent serves it at ``/status``; when it is not running the same document is built
from its data directory (positions and spool), marked ``running: false``.
"""

from __future__ import annotations

import os
from typing import Any

from meshscope.agent.positions import PositionStore
from meshscope.agent.spool import Spool
from meshscope.agent.telemetry import AgentMetrics


def _counter_total(metrics: AgentMetrics, name: str) -> float:
    total = 0.0
    for family in metrics.registry.collect():
        for sample in family.samples:
            if sample.name == name:
                total += sample.value
    return total


def _size(path: str) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def status_document(positions: PositionStore, spool: Spool, metrics: AgentMetrics | None,
                    running: bool) -> dict[str, Any]:
    files = []
    for ident, pos in sorted(positions.items(), key=lambda kv: kv[1].path):
        size = pos.size if running else (_size(pos.path) or pos.size)
        files.append({"id": ident, "path": pos.path, "size": size, "spooled": pos.spooled, "acked": pos.acked,
                      "lag_bytes": max(0, size - pos.acked)})
    doc: dict[str, Any] = {
        "running": running, "files": files,
        "spool": {"batches": spool.pending(), "bytes": spool.bytes, "max_bytes": spool.max_bytes,
                  "full": spool.full, "rejected": len(list(spool.rejected_dir.glob("*.batch")))},
    }
    if metrics is not None:
        p = "meshscope_agent_"
        doc["counters"] = {name: _counter_total(metrics, p + name + "_total") for name in (
            "lines_read", "records_spooled", "batches_sent", "records_sent", "batches_retried",
            "batches_rejected", "records_filtered")}
    return doc
