"""Keep freed array memory in the process between queries.

A range query over thousands of series allocates and frees (series × steps) float arrays of
several MB, tens of them per query. glibc serves blocks that large with ``mmap`` and unmaps them on
``free``, so every query touches fresh pages and pays a page fault for each 4 KiB: measured
16,000–24,000 faults per dashboard query, about a third of its CPU time on a virtual machine.
Raising glibc's mmap and trim thresholds keeps those blocks in the heap for the next query, the
way a garbage-collected server keeps its heap; blocks larger than the threshold still go back.
Queries run on pool threads, and glibc gives threads their own arenas, whose heaps are returned to
the system regardless of the trim threshold: one arena for the process keeps them all in the heap
(measured in the server: 11,000–18,000 faults per histogram query with an arena per thread,
2,000–8,000 with one; numpy's big blocks make few malloc calls, so sharing the lock costs little).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD = 256 << 20  # blocks up to this size come from the heap and are reused
TRIM_THRESHOLD = 512 << 20  # free memory kept at the heap top before it is returned

_done = threading.Event()


def keep_freed_memory() -> bool:
    """Tune glibc's allocator once per process; False where the C library is not glibc."""
    if _done.is_set():
        return True
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    ok = all([mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD), mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD),
              mallopt(M_ARENA_MAX, 1)])
    if ok:
        _done.set()
    return ok
