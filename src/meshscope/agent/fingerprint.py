"""File identity by content, not inode: inodes are reused as soon as a rotated file is deleted.

The identity is a hash of the file's first line (up to ``limit`` bytes), so a renamed file keeps
its identity and a new file at the same path gets a new one. A file whose first line is not
complete yet has no identity and is not read until it has.
"""

from __future__ import annotations

import hashlib
import os


def fingerprint(fd: int, limit: int) -> str | None:
    head = os.pread(fd, limit, 0)
    nl = head.find(b"\n")
    if nl >= 0:
        head = head[:nl + 1]
    elif len(head) < limit:
        return None
    return hashlib.blake2b(head, digest_size=8).hexdigest()


def fingerprint_path(path: str, limit: int) -> str | None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return fingerprint(fd, limit)
    finally:
        os.close(fd)
