"""The one atomic file write, at the lowest layer so every layer's caches and stores share it.

Readers see either nothing or the whole file: the bytes go to a uniquely
named temporary file in the same folder and are renamed over the target, so
two workers writing one cache entry at once cannot interleave. `durable`
also syncs the file and its folder, so a power loss cannot undo the rename
(the file store and the outbox need that; caches do not).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(target: Path, data: bytes, durable: bool = True) -> None:
    """Write a file so that readers see either nothing or all of it; `durable` also survives power loss."""
    _make_dirs(target.parent, durable)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        fsync_dir(target.parent)


def _make_dirs(folder: Path, durable: bool) -> None:
    """Create `folder` and its missing parents; durably, each new entry synced in its parent too."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for created in reversed(missing):
        created.mkdir(exist_ok=True)
        if durable:
            fsync_dir(created.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable: until the directory itself is synced, a power loss can undo it
    and leave the new name pointing nowhere, though the file's bytes were synced."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
