"""Fetching from a real Dovecot: big messages come whole, in UID order, without three copies in memory."""

from __future__ import annotations

import os
import tracemalloc
from datetime import datetime

from imapclient import IMAPClient

from ingest import mailbox
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail


def _mail(n: int, video_mb: float = 0) -> bytes:
    attachments = [("沈阳市社区学院+案例.docx", build_case_form())]
    if video_mb:
        attachments.append(("课程视频.mp4", os.urandom(int(video_mb * 1024 * 1024))))
    return build_mail(MailSpec(subject="沈阳市社区学院+智慧助老材料+1个", attachments=attachments,
                               date=datetime(2022, 4, 20, 10, 0, tzinfo=CST), message_id=f"<fetch-{n}@163.com>"))


def test_a_big_message_is_fetched_in_slices_byte_for_byte_and_in_uid_order(imap_account):
    port, user, password = imap_account
    client = IMAPClient("127.0.0.1", port=port, ssl=False)
    client.login(user, password)
    for n, size in enumerate([0, 13.3, 0]):  # 13.3 MB of video: about 18 MB of base64, five slices
        client.append("INBOX", _mail(n, size))
    client.select_folder("INBOX")
    uids = client.search(["ALL"])
    whole = client.fetch(uids, ["BODY.PEEK[]", "INTERNALDATE"])  # the server's own answer, in one piece
    tracemalloc.start()
    try:
        fetched = list(mailbox.fetch(client, uids))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [f.uid for f in fetched] == uids
    assert [f.raw for f in fetched] == [whole[u][b"BODY[]"] for u in uids]
    assert [f.internaldate for f in fetched] == [whole[u][b"INTERNALDATE"] for u in uids]
    big = len(fetched[1].raw)
    assert big > mailbox.BIG_FETCH and peak < 1.5 * big, f"{peak / big:.1f} copies of the big message were held"
    flags = client.fetch(uids, ["FLAGS"])
    assert all(b"\\Seen" not in flags[u][b"FLAGS"] for u in uids), "fetching does not mark mail read"
    client.logout()
