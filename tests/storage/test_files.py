"""The file store's writes survive a power loss: the file's bytes and its name in the directory are both synced."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ingest.samples.mails import MailSpec, build_mail
from parsers.atomic import atomic_write
from storage.files import FileStore

RAW = build_mail(MailSpec(subject="铁岭市银州区社区学院+智慧助老材料+1个", message_id="<files-1@163.com>"))


@pytest.fixture
def synced(monkeypatch) -> list[tuple[str, Path | None, list[str]]]:
    """Every os.fsync call: ("dir", the directory, its entries then) or ("file", None, []), seen with the fd open."""
    calls: list[tuple[str, Path | None, list[str]]] = []
    real = os.fsync

    def record(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            folder = Path(os.readlink(f"/proc/self/fd/{fd}"))
            calls.append(("dir", folder, sorted(p.name for p in folder.iterdir())))
        else:
            calls.append(("file", None, []))
        real(fd)

    monkeypatch.setattr(os, "fsync", record)
    return calls


def test_a_durable_write_syncs_the_directory_after_the_rename(tmp_path, synced):
    target = tmp_path / "raw.eml"
    atomic_write(target, RAW)
    assert target.read_bytes() == RAW
    assert synced == [("file", None, []), ("dir", tmp_path, ["raw.eml"])], "synced once it holds the new name"


def test_storing_a_raw_message_syncs_every_directory_it_creates(tmp_path, synced):
    store = FileStore(tmp_path / "files")
    digest = store.put(RAW)
    path = store.path(digest)
    assert store.get(digest) == RAW
    assert [where for kind, where, _ in synced if kind == "dir"] == [path.parent.parent.parent, path.parent.parent,
                                                                      path.parent]


def test_an_attachment_write_skips_every_sync(tmp_path, synced):
    atomic_write(tmp_path / "a" / "photo.jpg", b"\xff\xd8\xff\xe0 photo", durable=False)
    assert (tmp_path / "a" / "photo.jpg").exists() and synced == []
