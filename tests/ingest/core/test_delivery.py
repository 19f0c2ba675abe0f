"""Replies leave through SMTP exactly once: retried while the server is down, held back past the hourly limit."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from ingest.core.delivery import delivery_for
from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail
from ingest.config.service_settings import SmtpSettings
from storage.database import Database

UNIT = "杭州市西湖区社区学院"


def _mail(n: int, sender: str = "xihu_sqxy@163.com") -> bytes:
    return build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", sender=("西湖", sender), message_id=f"<m{n}@163.com>",
                               attachments=[(f"{UNIT}+案例{n}.docx", build_case_form(name=f"案例{n}", unit=UNIT))],
                               date=datetime(2022, 4, 20, 10, n, tzinfo=CST)))


def _smtp(settings, port: int, limit: int = 5):
    settings.smtp = SmtpSettings(host="127.0.0.1", port=port, security="none", max_per_recipient_per_hour=limit)
    settings.dry_run = False
    return settings


def test_a_reply_reaches_the_smtp_server_once_with_its_headers(settings, smtp_server):
    sink, port = smtp_server()
    pipeline = Pipeline(_smtp(settings, port))
    outcome = pipeline.process(_mail(1), "1.eml")
    assert outcome.reply_path is None  # sent, not written
    [envelope] = sink.envelopes
    reply = message_from_bytes(envelope.content, policy=policy.default)
    assert envelope.rcpt_tos == ["xihu_sqxy@163.com"]
    assert reply["In-Reply-To"] == "<m1@163.com>" and reply["Auto-Submitted"] == "auto-replied"
    assert pipeline.deliver() is None and len(sink.envelopes) == 1  # nothing left to send
    [row] = pipeline.db.load(outcome.submission_id).replies
    assert row.status == "sent" and row.sent_at is not None
    assert list(settings.outbox_dir.glob("*.eml")) == []


def test_a_server_that_is_down_delays_the_reply_and_it_goes_once_when_back(settings, smtp_server, unused_port,
                                                                          freeze):
    pipeline = Pipeline(_smtp(settings, unused_port))
    outcome = pipeline.process(_mail(1), "1.eml")  # nothing listens: the reply waits
    [row] = pipeline.db.load(outcome.submission_id).replies
    assert (row.status, row.attempts) == ("pending", 1) and "发送失败" in row.last_error
    sink, _ = smtp_server(port=unused_port)
    assert pipeline.deliver() is None and sink.envelopes == []  # not due yet: backoff
    with freeze(datetime.now(timezone.utc) + timedelta(minutes=5)):
        pipeline.deliver()
        pipeline.deliver()
    assert len(sink.envelopes) == 1
    [row] = pipeline.db.load(outcome.submission_id).replies
    assert row.status == "sent"


def test_past_the_hourly_limit_a_recipient_waits_for_the_next_hour(settings, smtp_server, freeze):
    sink, port = smtp_server()
    pipeline = Pipeline(_smtp(settings, port, limit=2))
    for n in range(1, 5):
        pipeline.process(_mail(n), f"{n}.eml")
    assert len(sink.envelopes) == 2
    with freeze(datetime.now(timezone.utc) + timedelta(hours=1, minutes=1)):
        pipeline.deliver()
    assert len(sink.envelopes) == 4


class BusyAtQuit:
    """An SMTP server that takes the mail (250 after DATA), then answers QUIT with 421, as a busy relay may."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK: queued as 7F3A2C1B"

    async def handle_QUIT(self, server, session, envelope):
        return "421 4.4.2 smtp.163.com Service not available, closing transmission channel"


def test_a_421_to_quit_after_the_mail_was_taken_counts_as_sent_and_nothing_goes_again(settings, unused_port, freeze):
    """smtplib's `with` raised on any answer to QUIT but 221, and the reply went out again after the backoff."""
    handler = BusyAtQuit()
    server = Controller(handler, hostname="127.0.0.1", port=unused_port)
    server.start()
    try:
        pipeline = Pipeline(_smtp(settings, unused_port))
        outcome = pipeline.process(_mail(1), "1.eml")
        [row] = pipeline.db.load(outcome.submission_id).replies
        assert (row.status, row.last_error) == ("sent", None)
        with freeze(datetime.now(timezone.utc) + timedelta(hours=2)):  # past any retry backoff
            pipeline.deliver()
    finally:
        server.stop()
    assert len(handler.envelopes) == 1


class SlowSink:
    """An SMTP server that takes half a second to accept each mail, as a busy relay does."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.5)
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_deliverers_at_once_send_a_pending_reply_once(settings, unused_port, request, freeze, backend):
    """`intake run` with `[web] enabled`: the loop and a console action deliver at once, each with its own Database."""
    if backend == "postgresql":
        settings.database_url = request.getfixturevalue("pg_database")
    outcome = Pipeline(_smtp(settings, unused_port)).process(_mail(1), "1.eml")  # the server is down: it waits
    sink = SlowSink()
    server = Controller(sink, hostname="127.0.0.1", port=unused_port)
    server.start()
    deliverers = [delivery_for(settings, Database(settings.database_url)) for _ in range(2)]
    start = threading.Barrier(2)
    results: list = []

    def deliver(delivery) -> None:
        start.wait()
        results.append(delivery.run())

    try:
        with freeze(datetime.now(timezone.utc) + timedelta(minutes=5)):  # past the backoff: due for both
            threads = [threading.Thread(target=deliver, args=(d,)) for d in deliverers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
    finally:
        server.stop()
    assert len(sink.envelopes) == 1
    assert sorted(len(r) for r in results) == [0, 1], "one deliverer sent it, the other found it taken"
    [row] = Database(settings.database_url).load(outcome.submission_id).replies
    assert row.status == "sent"


def test_a_reply_the_outbox_folder_cannot_take_waits_and_is_written_once_the_folder_is_back(settings, freeze):
    """A dry run whose outbox folder is gone (a file stands in its place): the reply is retried, not left held."""
    pipeline = Pipeline(settings)
    settings.outbox_dir.rmdir()
    settings.outbox_dir.write_text("这里本应是发件箱文件夹\n", encoding="utf-8")
    outcome = pipeline.process(_mail(1), "1.eml")
    assert outcome.status != "error", "filed and judged: only its reply waits"
    [row] = pipeline.db.load(outcome.submission_id).replies
    assert (row.status, row.attempts) == ("pending", 1) and "发送失败" in row.last_error
    settings.outbox_dir.unlink()
    settings.outbox_dir.mkdir()
    with freeze(datetime.now(timezone.utc) + timedelta(minutes=5)):
        pipeline.deliver()
    [row] = pipeline.db.load(outcome.submission_id).replies
    assert row.status == "written" and len(list(settings.outbox_dir.glob("*.eml"))) == 1
