"""Where rotated content went: files next to a log file and named like it (``app.log.1``,
``app.log-20240501``), found by their first-line fingerprint. Compressed ones are never read."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from meshscope.agent.fingerprint import fingerprint_path

COMPRESSED = (".gz", ".bz2", ".xz", ".zst", ".zip", ".lz4")


def siblings(original: str) -> Iterator[str]:
    """Paths next to ``original`` whose names start with its name (itself excluded), sorted."""
    directory, base = os.path.split(original)
    try:
        names = sorted(n for n in os.listdir(directory or ".") if n.startswith(base) and n != base)
    except OSError:
        return
    for name in names:
        if not name.endswith(COMPRESSED):
            yield os.path.join(directory, name)


def find_copy(original: str, fp: str, min_size: int, skip: tuple[int, int],
              fp_bytes: int) -> tuple[int, os.stat_result, str] | None:
    """An open descriptor on the sibling holding file ``fp`` with at least ``min_size`` bytes
    (not the inode ``skip``): the copy a copytruncate made, or the new name of a renamed file."""
    for path in siblings(original):
        if fingerprint_path(path, fp_bytes) != fp:
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        st = os.fstat(fd)
        if st.st_size >= min_size and (st.st_dev, st.st_ino) != skip:
            return fd, st, path
        os.close(fd)
    return None


def unseen_generations(original: str, since: float, known: Callable[[str], bool], skip: Callable[[str], bool],
                       fp_bytes: int) -> list[tuple[str, str]]:
    """Siblings written since ``since`` whose fingerprint is not ``known``: rotated files that came
    and went between two looks (two rotations in one poll). Returns (path, fingerprint) pairs."""
    found = []
    for path in siblings(original):
        try:
            if skip(path) or os.stat(path).st_mtime < since - 1.0:  # file times are coarser than time.time()
                continue
        except OSError:
            continue
        fp = fingerprint_path(path, fp_bytes)
        if fp is not None and not known(fp):
            found.append((path, fp))
    return found
