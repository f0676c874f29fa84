"""The write path: coalesce concurrent requests into one insert, acknowledge after it returns.

Each table family has one :class:`TableWriter` thread. A request waits in a bounded queue; the
thread takes everything queued once enough rows gathered or ``flush_interval`` passed since its last insert,
writes the bodies to one spool file (the batch's write-ahead record), inserts it with a
deduplication token derived from its contents, records the request digests, removes the file and
only then resolves the waiting requests. A crash between the steps is repaired at start-up by
replaying spool files with the same token, which ClickHouse deduplicates.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass, field
from pathlib import Path

from meshscope.errors import BadData, MeshscopeError, Unavailable
from meshscope.storage.dedup import DedupLog
from meshscope.storage.executor import Executor
from meshscope.storage.insert_spec import InsertSpec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WriteResult:
    rows: int
    duplicate: bool = False


@dataclass
class _Pending:
    body: bytes
    rows: int
    digest: str
    future: Future[WriteResult] = field(default_factory=Future)
    queued_at: float = field(default_factory=time.monotonic)

    def resolve(self, result: WriteResult | None = None, error: BaseException | None = None) -> None:
        """Tell the waiting request; one that gave up (client hung up, future cancelled) is skipped.

        Its rows are stored all the same, and a retry of it is recognised as a duplicate."""
        if self.future.cancelled() or self.future.done():
            return
        try:
            if error is not None:
                self.future.set_exception(error)
            else:
                self.future.set_result(result or WriteResult(self.rows))
        except InvalidStateError:  # cancelled between the check and the call
            pass


@dataclass(frozen=True)
class WriterLimits:
    """When to insert: at once when ``flush_rows`` wait (a part that size is healthy), else at most
    once per ``flush_interval``; never more than ``batch_max_rows`` in one insert."""

    flush_rows: int = 10_000
    flush_interval: float = 0.25
    queue_max_rows: int = 1_000_000
    queue_max_bytes: int = 512 * 1024 * 1024
    batch_max_rows: int = 500_000


Observer = Callable[[str, int, float], None]
_LINGER_S = 0.01  # an idle writer waits this long for requests arriving together


def digest_of(body: bytes, key: str = "") -> str:
    """Identity of a request: the client's idempotency key if it sent one, else its bytes."""
    data = key.encode() if key else body
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _share(total: int | None, estimates: list[int]) -> list[int]:
    """An exact batch total split over its requests in proportion to their estimates (largest
    remainder), so counters summing the parts are exact; no total: the estimates."""
    weight = sum(estimates)
    if total is None or weight <= 0:
        return estimates
    shares = [total * e // weight for e in estimates]
    order = sorted(range(len(estimates)), key=lambda i: -(total * estimates[i] % weight))
    for i in order[:total - sum(shares)]:
        shares[i] += 1
    return shares


class TableWriter:
    """One writer thread for one :class:`InsertSpec`."""

    def __init__(self, spec: InsertSpec, executor: Executor, spool_dir: Path, dedup: DedupLog,
                 limits: WriterLimits, observe: Observer | None = None) -> None:
        self.spec = spec
        self.executor = executor
        self.spool_dir = spool_dir
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        self.dedup = dedup
        self.limits = limits
        self.parallelism = max(1, min(os.cpu_count() or 1, 4))
        self._observe = observe or (lambda table, rows, seconds: None)
        self._queue: list[_Pending] = []
        self._queued_rows = 0
        self._queued_bytes = 0
        self._cond = threading.Condition()
        self._stopping = False
        self._last_insert = 0.0
        self._last_arrival = 0.0
        self._last_ack = 0.0
        self._thread = threading.Thread(target=self._run, name=f"writer-{spec.table}", daemon=True)

    # ---- public
    @property
    def queue_rows(self) -> int:
        return self._queued_rows

    @property
    def queue_bytes(self) -> int:
        return self._queued_bytes

    def start(self) -> None:
        self.recover()
        self._thread.start()

    def submit(self, body: bytes, rows: int, digest: str) -> Future[WriteResult]:
        """Queue a validated body; the future resolves once its rows are stored (or found stored)."""
        pending = _Pending(body, rows, digest)
        if digest in self.dedup:
            pending.resolve(WriteResult(rows, duplicate=True))
            return pending.future
        with self._cond:
            if self._stopping:
                raise Unavailable("meshscope is shutting down", retry_after_s=5.0)
            if (self._queue and (self._queued_rows + rows > self.limits.queue_max_rows
                                 or self._queued_bytes + len(body) > self.limits.queue_max_bytes)):
                raise Unavailable(f"write queue for {self.spec.table} is full "
                                  f"({self._queued_rows} rows waiting); retry later",
                                  retry_after_s=1.0, overloaded=True)
            self._queue.append(pending)
            self._last_arrival = pending.queued_at
            self._queued_rows += rows
            self._queued_bytes += len(body)
            self._cond.notify()
        return pending.future

    def stop(self, timeout: float = 30.0) -> None:
        """Flush what was accepted, then end the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    # ---- the thread
    def _run(self) -> None:
        while True:
            batch = self._take_batch()
            if batch is None:
                return
            if batch:
                self._flush(batch)
                self._last_ack = time.monotonic()

    def _take_batch(self) -> list[_Pending] | None:
        """Group commit: insert as soon as ``flush_interval`` has passed since the last insert began
        (an idle writer inserts after a short linger), or at once when ``flush_rows`` wait. Busy
        streams thus make at most one insert per interval; quiet ones add no latency. A stream whose
        senders wait for each answer also inserts once no request came for a linger after the last
        arrival or answer: waiting longer for company that cannot come only stalls them."""
        with self._cond:
            while True:
                if self._queue:
                    now = time.monotonic()
                    due = self._due()
                    if self._stopping or self._queued_rows >= self.limits.flush_rows or now >= due:
                        self._last_insert = now
                        return self._pop_batch()
                    self._cond.wait(due - now)
                elif self._stopping:
                    return None
                else:
                    self._cond.wait()

    def _due(self) -> float:
        linger = min(_LINGER_S, self.limits.flush_interval)
        due = max(self._last_insert + self.limits.flush_interval, self._queue[0].queued_at + linger)
        if self.spec.senders_wait:  # quiet since the last arrival or answer: nobody else is coming
            due = min(due, max(self._last_arrival, self._last_ack) + linger)
        return due

    def _pop_batch(self) -> list[_Pending]:
        cap = self.limits.batch_max_rows
        taken: list[_Pending] = []
        rows = 0
        while self._queue and (not taken or rows + self._queue[0].rows <= cap):
            item = self._queue.pop(0)
            taken.append(item)
            rows += item.rows
            self._queued_rows -= item.rows
            self._queued_bytes -= len(item.body)
        return taken

    def _flush(self, batch: list[_Pending]) -> None:
        fresh, seen = [], set()
        for item in batch:
            if item.digest in self.dedup or item.digest in seen:
                item.resolve(WriteResult(item.rows, duplicate=True))
            else:
                seen.add(item.digest)
                fresh.append(item)
        if not fresh:
            return
        try:
            stored = self._insert(fresh)
        except BadData as exc:
            if len(fresh) == 1:
                fresh[0].resolve(error=exc)
            else:  # isolate the bad body: the others must not pay for it
                for item in fresh:
                    self._flush([item])
            return
        except MeshscopeError as exc:
            log.warning("insert into %s failed: %s", self.spec.table, exc)
            err = exc if isinstance(exc, Unavailable) else Unavailable(
                f"storage could not take the write ({exc.message}); retry later", retry_after_s=2.0)
            for item in fresh:
                item.resolve(error=err)
            return
        for item, rows in zip(fresh, _share(stored, [i.rows for i in fresh]), strict=True):
            item.resolve(WriteResult(rows))

    def _insert(self, items: list[_Pending]) -> int | None:
        digests = [i.digest for i in items]
        batch_id = hashlib.blake2b("".join(digests).encode(), digest_size=16).hexdigest()
        self._write_spool(batch_id, items)
        try:
            stored = self._insert_file(batch_id, sum(i.rows for i in items))
        except MeshscopeError:
            self._remove(batch_id)  # the clients hear of the failure and retry
            raise
        self.dedup.add(digests)
        self._remove(batch_id)
        return stored

    def _insert_file(self, batch_id: str, rows: int) -> int | None:
        """Insert a spooled batch; the exact rows stored when the spec's procedure counts them."""
        settings = dict(self.spec.settings)
        settings["insert_deduplication_token"] = batch_id
        settings["deduplicate_blocks_in_dependent_materialized_views"] = 1
        # One insert stream: the batch becomes one block whatever the timing, so a replay after a crash
        # carries the same block token as the insert it repeats (with two streams the split into
        # blocks varied, a replay's second block got a token of its own and was stored twice).
        # The files are still parsed in parallel.
        settings["max_insert_threads"] = 1
        started = time.perf_counter()
        path = self.spool_dir / f"{batch_id}-*.pb"
        stored = None
        if self.spec.procedure is not None:
            stored = self.spec.procedure(self.executor, path, self.spec.fmt, settings)
        else:
            self.executor.insert_from_file(self.spec.sql, path, self.spec.fmt, self.spec.structure, settings)
        self._observe(self.spec.table, rows if stored is None else stored, time.perf_counter() - started)
        return stored

    def _write_spool(self, batch_id: str, items: list[_Pending]) -> None:
        """The batch as up to ``parallelism`` files (ClickHouse reads files in parallel), then its digests.

        The digests file is written last and marks the batch complete: a crash before it leaves
        files that were never acknowledged and are discarded at start-up. No fsync: the spool
        repairs a process crash, which the page cache survives; after a power loss the insert it
        guards is not on disk either (ClickHouse does not fsync parts), so an fsync (~7 ms per
        file here) bought nothing for what was acknowledged."""
        shards: list[list[_Pending]] = [[] for _ in range(min(self.parallelism, len(items)))]
        for n, item in enumerate(sorted(items, key=lambda i: -len(i.body))):
            shards[n % len(shards)].append(item)
        for n, shard in enumerate(shards):
            with open(self.spool_dir / f"{batch_id}-{n}.pb", "wb") as f:
                for item in shard:
                    if self.spec.length_delimited:
                        f.write(_varint(len(item.body)))
                    f.write(item.body)
                    if not self.spec.length_delimited and not item.body.endswith(b"\n"):
                        f.write(b"\n")
        tmp = self.spool_dir / f"{batch_id}.tmp"
        tmp.write_text("\n".join(i.digest for i in items))
        os.replace(tmp, self.spool_dir / f"{batch_id}.digests")

    def _remove(self, batch_id: str) -> None:
        for p in self.spool_dir.glob(f"{batch_id}-*.pb"):
            p.unlink(missing_ok=True)
        (self.spool_dir / f"{batch_id}.digests").unlink(missing_ok=True)

    def recover(self) -> int:
        """Replay batches a crash left in the spool; ClickHouse drops the ones already inserted."""
        replayed = 0
        for marker in sorted(self.spool_dir.glob("*.digests")):
            batch_id = marker.stem
            digests = marker.read_text().split()
            try:
                self._insert_file(batch_id, 0)
            except BadData as exc:
                log.error("spooled batch %s is unreadable, moved aside: %s", batch_id, exc)
                for p in self.spool_dir.glob(f"{batch_id}-*.pb"):
                    p.rename(p.with_suffix(".bad"))
                marker.unlink()
                continue
            self.dedup.add(digests)
            self._remove(batch_id)
            replayed += 1
        complete = {m.stem for m in self.spool_dir.glob("*.digests")}
        for leftover in list(self.spool_dir.glob("*.pb")) + list(self.spool_dir.glob("*.tmp")):
            if leftover.stem.rsplit("-", 1)[0] not in complete:
                leftover.unlink()  # never acknowledged, never inserted: the client retries
        return replayed
