"""Freed query arrays stay in the process: the next query's arrays cause no page faults.

Measured in a fresh interpreter, before and after tuning, with arrays larger than glibc's largest
automatic mmap threshold (32 MiB), which it would otherwise unmap on every free. numpy's huge-page
advice is off there so that one fault is one 4 KiB page.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import resource
import threading
import numpy as np
from meshscope.promql.heap import keep_freed_memory

def faults_of_second_round():
    for round in range(2):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        arrays = [np.ones(5_000_000) for _ in range(3)]  # 40 MB each
        del arrays
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

def in_a_thread():  # queries run on pool threads, created after the server started
    out = []
    worker = threading.Thread(target=lambda: out.append(faults_of_second_round()))
    worker.start()
    worker.join()
    return out[0]

plain = faults_of_second_round()
tuned = keep_freed_memory()
print(plain, tuned, faults_of_second_round(), in_a_thread())
"""


def test_freed_arrays_are_reused_without_page_faults() -> None:
    env = {**os.environ, "NUMPY_MADVISE_HUGEPAGE": "0"}
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True,
                         env=env).stdout.split()
    plain, tuned, after, threaded = int(out[0]), out[1] == "True", int(out[2]), int(out[3])
    pages = 3 * 40_000_000 // 4096
    assert tuned
    assert plain > pages // 2  # unmapped and faulted in again
    assert after < pages // 20
    assert threaded < pages // 20
