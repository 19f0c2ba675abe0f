"""Messages are read from .eml files, folders, mbox files and Maildirs, in a stable order."""

from __future__ import annotations

import mailbox

from ingest.samples.mails import MailSpec, build_mail
from ingest.cli.sources import iter_messages

RAWS = [build_mail(MailSpec(subject=f"杭州市第{i}社区学院+智慧助老材料+1个", message_id=f"<m{i}@163.com>"))
        for i in range(3)]


def test_folder_of_eml_files_is_read_in_name_order_skipping_other_files(tmp_path):
    for name, raw in zip(["b.eml", "a.eml", "c.EML"], RAWS):
        (tmp_path / name).write_bytes(raw)
    (tmp_path / "README.txt").write_text("说明")
    got = list(iter_messages(tmp_path))
    assert [source.rsplit("/", 1)[1] for source, _ in got] == ["a.eml", "b.eml", "c.EML"]
    assert got[0][1] == RAWS[1]


def test_mbox_file_yields_every_message(tmp_path):
    path = tmp_path / "归档.mbox"
    box = mailbox.mbox(path)
    for raw in RAWS:
        box.add(raw)
    box.close()
    got = list(iter_messages(path))
    assert len(got) == 3 and all(source.startswith(str(path) + "#") for source, _ in got)
    assert [b"<m%d@163.com>" % i in raw for i, (_, raw) in enumerate(got)] == [True] * 3


def test_maildir_yields_every_message(tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir")
    for raw in RAWS:
        box.add(raw)
    got = list(iter_messages(tmp_path / "Maildir"))
    assert sorted(raw for _, raw in got) == sorted(box.get_bytes(k) for k in box.keys())
    assert len(got) == 3
