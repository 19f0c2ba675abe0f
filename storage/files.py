"""A content-addressed file store: every raw message and attachment by sha256.

Writing the raw bytes here is the pipeline's first step, so whatever fails
later, the message can be read again. Writes are atomic (temp file + rename)
and idempotent: the same bytes always land at the same path once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from parsers.atomic import atomic_write


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
