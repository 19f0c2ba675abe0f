"""The IMAP and SMTP servers go away and come back during a run: the service catches up, loses and repeats nothing."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from imapclient import IMAPClient

from ingest.samples.forms import build_case_form
from tests.support.imap_server import PASSWORD, dovecot, free_port
from ingest.samples.mails import MailSpec, build_mail
from ingest.service.loop import Service
from ingest.config.service_settings import MailboxSettings, SmtpSettings
from rules import clock
from rules.campaign import Batch
from storage import mailboxes

UNIT = "大连市甘井子区社区学院"


def _mail(n: int) -> bytes:
    return build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", sender=("甘井子区", f"gjz{n}@163.com"),
                               message_id=f"<gjz-{n}@163.com>", date=clock.now(),
                               attachments=[(f"{UNIT}+案例{n}.docx", build_case_form(name=f"甘井子案例{n}", unit=UNIT))]))


class Sink:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def _answered(sink: Sink) -> list[str]:
    return sorted(message_from_bytes(e.content, policy=policy.default)["In-Reply-To"] for e in sink.envelopes)


def test_servers_stopped_and_started_again_are_caught_up_without_loss_or_repeats(settings, monkeypatch, freeze):
    sink, smtp_port = Sink(), free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    with dovecot() as imap:
        user = imap.account()
        monkeypatch.setenv("INTAKE_IMAP_PASSWORD", PASSWORD)
        settings.mailboxes = [MailboxSettings(name="大连征集邮箱", host="127.0.0.1", port=imap.port, security="none",
                                              user=user)]
        settings.smtp = SmtpSettings(host="127.0.0.1", port=smtp_port, security="none")
        settings.dry_run, settings.coordinators = False, []
        settings.campaign.require_scan = False
        settings.campaign.batches = [Batch("第一批", clock.now() + timedelta(days=30))]

        def append(n: int) -> None:
            client = IMAPClient("127.0.0.1", port=imap.port, ssl=False)
            client.login(user, PASSWORD)
            client.append("INBOX", _mail(n))
            client.logout()

        service = Service(settings)
        append(1)
        service.once()
        assert _answered(sink) == ["<gjz-1@163.com>"]

        smtp.stop()  # the SMTP server goes down: mail is still filed, its replies wait
        append(2)
        assert [o.status for o in service.once().outcomes] == ["accepted"]
        assert _answered(sink) == ["<gjz-1@163.com>"]

        imap.stop()  # then the IMAP server too: the pass records it and goes on
        assert service.once().outcomes == []
        [state] = mailboxes.all_states(service.pipeline.db)
        assert state.last_error and "大连征集邮箱" in state.last_error

        imap.start()
        smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
        smtp.start()
        append(3)
        with freeze(clock.now() + timedelta(minutes=5)):  # past the retry backoff of the waiting reply
            assert [o.status for o in service.once().outcomes] == ["accepted"]
        assert _answered(sink) == ["<gjz-1@163.com>", "<gjz-2@163.com>", "<gjz-3@163.com>"]
        [state] = mailboxes.all_states(service.pipeline.db)
        assert state.last_error is None
        with freeze(clock.now() + timedelta(minutes=10)):
            assert service.once().outcomes == []  # nothing fetched or sent twice
        assert len(sink.envelopes) == 3
        service.connections.close()
    smtp.stop()
