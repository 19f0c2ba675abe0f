"""Mail sources on disk: single .eml files, folders of them, mbox files and Maildirs.

Each yields (source label, raw bytes) in a stable order, so a run over the
same folder always processes messages in the same sequence.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from pathlib import Path

MAIL_SUFFIXES = {".eml", ".msg822", ".mail"}


def iter_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    path = Path(path)
    if path.is_dir():
        if is_maildir(path):
            yield from _maildir(path)
        else:
            for child in sorted(path.iterdir(), key=lambda p: p.name):
                if child.is_file() and child.suffix.lower() in MAIL_SUFFIXES:
                    yield str(child), child.read_bytes()
                elif child.is_dir() and is_maildir(child):
                    yield from _maildir(child)
    elif is_mbox(path):
        yield from _mbox(path)
    else:
        yield str(path), path.read_bytes()


def count_messages(path: Path) -> int:
    """How many messages `iter_messages(path)` will yield, without reading them (for a progress bar)."""
    path = Path(path)
    if path.is_dir():
        if is_maildir(path):
            return len(mailbox.Maildir(path, factory=None, create=False))
        return sum(1 if child.is_file() and child.suffix.lower() in MAIL_SUFFIXES else
                   count_messages(child) if child.is_dir() and is_maildir(child) else 0
                   for child in path.iterdir())
    if is_mbox(path):
        box = mailbox.mbox(path, factory=None, create=False)
        try:
            return len(box)
        finally:
            box.close()
    return 1


def is_maildir(path: Path) -> bool:
    return all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def is_mbox(path: Path) -> bool:
    if path.suffix.lower() == ".mbox":
        return True
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def _maildir(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in sorted(box.keys()):
        yield f"{path}#{key}", box.get_bytes(key)


def _mbox(path: Path) -> Iterator[tuple[str, bytes]]:
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for index, key in enumerate(box.keys()):
            yield f"{path}#{index + 1}", box.get_bytes(key)
    finally:
        box.close()
