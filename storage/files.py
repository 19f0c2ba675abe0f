"""A content-addressed file store: every raw message and attachment by sha256.

Writing the raw bytes here is the pipeline's first step, so whatever fails
later, the message can be read again. Writes are atomic (temp file + rename)
and idempotent: the same bytes always land at the same path once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


class FileStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes, durable: bool = True) -> str:
        """Store bytes once; return their sha256.

        Raw messages are written durably (fsync); attachments, which can always
        be cut out of their raw message again, need not be.
        """
        digest = sha256_hex(data)
        target = self.path(digest)
        if target.exists():
            return digest
        atomic_write(target, data, durable)
        return digest

    def get(self, digest: str) -> bytes:
        return self.path(digest).read_bytes()

    def __contains__(self, digest: str) -> bool:
        return self.path(digest).exists()
