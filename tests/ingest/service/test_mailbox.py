"""Fetching from a real Dovecot: big messages come whole, in UID order, without three copies in memory;
a message the database could not file is left unflagged and fetched again until it is filed."""

from __future__ import annotations

import os
import sqlite3
import tracemalloc
from datetime import datetime, timedelta
from email import message_from_bytes, policy

import pytest
from imapclient import IMAPClient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from ingest.service import mailbox
from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail
from ingest.config.service_settings import MailboxSettings, SmtpSettings
from rules import clock
from rules.campaign import Batch
from storage import mailboxes
from storage.database import Database


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


# ---------------------------------------------------------------- a mail the database could not file

UNIT = "营口市站前区社区学院"
COORDINATOR = "coordinator@example.org.cn"


def _submission(n: int) -> bytes:
    return build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", sender=("站前区", f"zqsqxy{n}@163.com"),
                               message_id=f"<zq-{n}@163.com>", date=clock.now().astimezone(CST),
                               attachments=[(f"{UNIT}+案例{n}.docx", build_case_form(name=f"站前案例{n}", unit=UNIT))]))


@pytest.fixture
def box(settings, imap_account, smtp_server, monkeypatch):
    """A Dovecot mailbox and an SMTP sink wired into the settings: (pipeline, mailbox settings, IMAP login, sink)."""
    port, user, password = imap_account
    sink, smtp_port = smtp_server()
    monkeypatch.setenv("INTAKE_IMAP_PASSWORD", password)
    watched = MailboxSettings(name="营口征集邮箱", host="127.0.0.1", port=port, security="none", user=user)
    settings.smtp = SmtpSettings(host="127.0.0.1", port=smtp_port, security="none")
    settings.dry_run, settings.coordinators = False, [COORDINATOR]
    settings.campaign.require_scan = False
    settings.campaign.batches = [Batch("第一批", clock.now() + timedelta(days=30))]

    def login() -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=port, ssl=False)
        client.login(user, password)
        return client

    return Pipeline(settings), watched, login, sink


DISK_FULL = """
CREATE FUNCTION intake_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.message_id = ANY(string_to_array(current_setting('intake_test.down', true), ',')) THEN
    RAISE EXCEPTION 'could not extend file "base/16384/16415": No space left on device' USING ERRCODE = 'disk_full';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER disk_full BEFORE INSERT ON submission FOR EACH ROW EXECUTE FUNCTION intake_test_disk_full();
"""


class Outage(set):
    """The Message-IDs whose filing fails right now; `clear()` brings the database back."""


@pytest.fixture(params=["sqlite", "postgresql"])
def database_down_for(request, box, monkeypatch) -> Outage:
    """Filing the listed messages fails as a database that ran out of disk does.

    PostgreSQL: a real server-side error (SQLSTATE 53100 from a trigger), on
    every connection the pipeline opens. SQLite: the driver's error raised at
    the storage door, `Database.file_submission`.
    """
    pipeline = box[0]
    down = Outage()
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_database")
        pipeline.db = Database(url)
        pipeline.delivery.db = pipeline.db
        with pipeline.db.engine.begin() as connection:
            connection.exec_driver_sql(DISK_FULL)
        event.listen(pipeline.db.engine, "checkout", lambda dbapi, *_: _tell_server(dbapi, down))
        return down
    real = Database.file_submission

    def file_submission(self, sub, **kwargs):
        if sub.message.message_id in down:
            raise OperationalError("INSERT INTO submission ...", {}, sqlite3.OperationalError("disk I/O error"))
        return real(self, sub, **kwargs)

    monkeypatch.setattr(Database, "file_submission", file_submission)
    return down


def _tell_server(dbapi_connection, down: Outage) -> None:
    """Each connection taken from the pool learns which Message-IDs the server is to refuse now."""
    cursor = dbapi_connection.cursor()
    cursor.execute("SELECT set_config('intake_test.down', %s, false)", (",".join(sorted(down)),))
    cursor.close()
    if not dbapi_connection.autocommit:
        dbapi_connection.commit()


def _handled(login) -> list[bool]:
    """Per message in INBOX, UID order: flagged as handled by intake?"""
    client = login()
    client.select_folder("INBOX")
    flags = client.fetch(client.search(["ALL"]), ["FLAGS"])
    client.logout()
    return [mailbox.HANDLED_FLAG in flags[uid][b"FLAGS"] for uid in sorted(flags)]


def _answered(sink) -> list[str]:
    """In-Reply-To of every reply at the sink (coordinator notes aside)."""
    mails = [message_from_bytes(e.content, policy=policy.default) for e in sink.envelopes]
    return sorted(m["In-Reply-To"] for m in mails if COORDINATOR not in str(m["To"]))


def _notes(sink) -> list:
    mails = [message_from_bytes(e.content, policy=policy.default) for e in sink.envelopes]
    return [m for m in mails if COORDINATOR in str(m["To"])]


def test_a_mail_the_database_failed_to_file_stays_unflagged_and_a_later_pass_files_and_answers_it_once(
        box, database_down_for, freeze):
    pipeline, watched, login, sink = box
    client = login()
    for n in (1, 2):
        client.append("INBOX", _submission(n))
    client.logout()

    database_down_for.add("<zq-1@163.com>")
    first = mailbox.poll(pipeline, watched)
    assert [(o.status, o.filed) for o in first] == [("error", False), ("accepted", True)]
    assert _handled(login) == [False, True], "only the filed mail is flagged"
    assert _answered(sink) == ["<zq-2@163.com>"] and _notes(sink) == [], "one failure is no news for anybody"
    assert [s.submission.message.message_id for s in pipeline.db.load_all()] == ["<zq-2@163.com>"]
    assert "暂时未能登记" in mailboxes.state(pipeline.db, "营口征集邮箱").last_error

    database_down_for.clear()  # the database is back
    assert mailbox.poll(pipeline, watched) == [], "not before its backoff"
    with freeze(clock.now() + timedelta(minutes=2)):
        again = mailbox.poll(pipeline, watched)
    assert [(o.status, o.source.rpartition("#")[2]) for o in again] == [("accepted", "1")]
    assert _handled(login) == [True, True]
    with freeze(clock.now() + timedelta(hours=3)):
        assert mailbox.poll(pipeline, watched) == []
        pipeline.deliver()
    assert _answered(sink) == ["<zq-1@163.com>", "<zq-2@163.com>"], "each answered once"
    assert mailboxes.state(pipeline.db, "营口征集邮箱").last_error is None


def test_after_five_failed_filings_the_coordinators_are_told_once_and_the_mail_still_waits(
        box, database_down_for, freeze):
    pipeline, watched, login, sink = box
    client = login()
    client.append("INBOX", _submission(1))
    client.logout()
    database_down_for.add("<zq-1@163.com>")
    start = clock.now()
    for attempt in range(1, mailbox.NOTE_AFTER + 2):
        with freeze(start + timedelta(hours=2 * attempt)):  # past every backoff
            [outcome] = mailbox.poll(pipeline, watched)
        assert not outcome.filed
        assert len(_notes(sink)) == (1 if attempt >= mailbox.NOTE_AFTER else 0), f"after {attempt} failures"
    [note] = _notes(sink)
    body = note.get_body(("plain",)).get_content()
    assert f"已连续 {mailbox.NOTE_AFTER} 次未能登记：数据库出错" in body and "这不是报送单位的问题" in body
    assert "[SQL:" not in body and "营口" not in body.partition("数据库出错")[2], "no statement, no values of the mail"
    assert _handled(login) == [False] and _answered(sink) == []

    database_down_for.clear()
    with freeze(start + timedelta(hours=20)):
        assert [o.status for o in mailbox.poll(pipeline, watched)] == ["accepted"]
        assert mailbox.poll(pipeline, watched) == []
    assert _handled(login) == [True] and _answered(sink) == ["<zq-1@163.com>"] and len(_notes(sink)) == 1
