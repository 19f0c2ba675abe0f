"""The live service against real servers: Dovecot IMAP and an aiosmtpd sink, both on 127.0.0.1.

Mail is APPENDed over IMAP as a unit's client would deliver it; `intake run --once` and a threaded
`intake run` must file it, answer it once at the SMTP sink, flag or move it, and never do it twice.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from email import message_from_bytes, policy

import pytest
from click.testing import CliRunner
from imapclient import IMAPClient
from sqlmodel import Session, delete, select

from ingest.cli.main import main
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail
from ingest.service.loop import Service
from ingest.config.service_settings import MailboxSettings, ScheduleSettings, SmtpSettings
from rules import clock
from rules.campaign import Batch, Roster, RosterUnit
from storage import mailboxes
from storage.models import FetchedRecord, MailboxStateRecord

UNIT = "沈阳市铁西区社区学院"


def _mail(n: int, date: datetime | None = None) -> bytes:
    return build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", sender=("铁西区", "txsqxy@163.com"),
                               message_id=f"<tx-{n}@163.com>", date=date or clock.now().astimezone(CST),
                               attachments=[(f"{UNIT}+案例{n}.docx", build_case_form(name=f"铁西案例{n}", unit=UNIT))]))


@pytest.fixture
def live(settings, imap_account, smtp_server, monkeypatch):
    """Settings pointing at a fresh Dovecot mailbox and an SMTP sink; `append` delivers a mail into it."""
    port, user, password = imap_account
    sink, smtp_port = smtp_server()
    monkeypatch.setenv("INTAKE_IMAP_PASSWORD", password)
    settings.mailboxes = [MailboxSettings(name="辽宁征集邮箱", host="127.0.0.1", port=port, security="none", user=user)]
    settings.smtp = SmtpSettings(host="127.0.0.1", port=smtp_port, security="none")
    settings.dry_run = False
    settings.coordinators = []
    settings.campaign.require_scan = False
    settings.campaign.batches = [Batch("第一批", clock.now() + timedelta(days=30))]  # mail arrives now, in time

    def imap() -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=port, ssl=False)
        client.login(user, password)
        return client

    def append(raw: bytes, folder: str = "INBOX", when: datetime | None = None) -> None:
        client = imap()
        client.append(folder, raw, msg_time=when)
        client.logout()

    settings.live = type("Live", (), {"sink": sink, "imap": staticmethod(imap), "append": staticmethod(append)})
    return settings


def _flags(live) -> list[set]:
    client = live.live.imap()
    client.select_folder("INBOX")
    flags = [set(f[b"FLAGS"]) for _, f in sorted(client.fetch(client.search(["ALL"]), ["FLAGS"]).items())]
    client.logout()
    return flags


def test_one_pass_files_answers_once_and_flags_the_mail(live):
    live.live.append(_mail(1))
    live.live.append(_mail(2))
    done = Service(live).once()
    assert [o.status for o in done.outcomes] == ["accepted", "accepted"]
    replies = [message_from_bytes(e.content, policy=policy.default) for e in live.live.sink.envelopes]
    assert sorted(r["In-Reply-To"] for r in replies) == ["<tx-1@163.com>", "<tx-2@163.com>"]
    assert all(r["Auto-Submitted"] == "auto-replied" for r in replies)
    assert all({b"\\Seen", b"$Intake"} <= f for f in _flags(live))
    again = Service(live).once()  # a restart: nothing new, nothing sent again
    assert again.outcomes == [] and len(live.live.sink.envelopes) == 2


def test_a_processed_folder_receives_the_handled_mail(live):
    live.mailboxes[0].processed_folder = "已处理"
    live.live.append(_mail(1))
    Service(live).once()
    client = live.live.imap()
    assert client.select_folder("INBOX")[b"EXISTS"] == 0
    assert client.select_folder("已处理")[b"EXISTS"] == 1
    client.logout()


def test_a_crash_before_the_flag_or_a_new_uidvalidity_never_answers_twice(live):
    live.live.append(_mail(1))
    Service(live).once()
    client = live.live.imap()
    client.select_folder("INBOX")
    client.remove_flags(client.search(["ALL"]), [b"\\Seen", b"$Intake"])  # as if we died after filing, before flagging
    client.logout()
    db = Service(live).pipeline.db
    with Session(db.engine) as session:  # ... and before the UID was marked; then the server renumbered (UIDVALIDITY)
        session.exec(delete(FetchedRecord))
        state = session.exec(select(MailboxStateRecord)).one()
        state.uidvalidity, state.last_uid = state.uidvalidity + 1, 0
        session.add(state)
        session.commit()
    done = Service(live).once()
    assert [o.status for o in done.outcomes] == ["duplicate"]
    assert len(live.live.sink.envelopes) == 1
    assert all({b"\\Seen", b"$Intake"} <= f for f in _flags(live))


def test_the_server_receipt_time_decides_when_the_pc_clock_is_wrong(live):
    live.campaign.batches = [Batch("第一批", datetime(2022, 11, 30, 23, 59, 59, tzinfo=CST))]
    wrong_clock = _mail(1, date=datetime(2022, 11, 25, 9, 0, tzinfo=CST))  # PC says November
    live.live.append(wrong_clock, when=datetime(2022, 12, 3, 9, 0, tzinfo=CST))  # the server took it in December
    [outcome] = Service(live).once().outcomes
    assert "LATE" in [d.code for d in outcome.defects]
    assert "服务器收信时间" in outcome.note


def test_a_mailbox_that_fails_does_not_stop_the_others_and_is_recorded(live, monkeypatch):
    good = live.mailboxes[0]
    live.mailboxes = [MailboxSettings(name="错误邮箱", host="127.0.0.1", port=good.port, security="none",
                                      user=good.user, password_env="INTAKE_WRONG_PASSWORD"), good]
    monkeypatch.setenv("INTAKE_WRONG_PASSWORD", "not-the-code")
    live.live.append(_mail(1))
    done = Service(live).once()
    assert [o.status for o in done.outcomes] == ["accepted"]
    broken = mailboxes.state(Service(live).pipeline.db, "错误邮箱")
    assert broken.last_error and "无法连接邮箱“错误邮箱”" in broken.last_error


def test_the_running_service_answers_new_mail_within_seconds_by_idle_and_stops_cleanly(live):
    live.schedule = ScheduleSettings(poll_seconds=600)  # only IDLE can make it in time
    service = Service(live)
    stop = threading.Event()
    worker = threading.Thread(target=service.run, args=(stop,), daemon=True)
    worker.start()
    time.sleep(1)  # the first pass and the IDLE connection
    appended = time.monotonic()
    live.live.append(_mail(1))
    while not live.live.sink.envelopes and time.monotonic() < appended + 30:
        time.sleep(0.1)
    answered = time.monotonic() - appended
    stop.set()
    worker.join(timeout=30)
    assert not worker.is_alive() and len(live.live.sink.envelopes) == 1
    assert answered < 10


def test_intake_run_once_from_the_command_line(live, tmp_path):
    config = tmp_path / "服务.toml"
    box = live.mailboxes[0]
    config.write_text(f"""
[campaign]
require_scan = false

[[mailboxes]]
name = "辽宁征集邮箱"
host = "127.0.0.1"
port = {box.port}
security = "none"
user = "{box.user}"
password_env = "INTAKE_IMAP_PASSWORD"

[smtp]
host = "127.0.0.1"
port = {live.smtp.port}
security = "none"

[reply]
coordinators = []   # only the reply counts here, not the digest due after 08:00 Beijing

[storage]
data_dir = "{live.data_dir.as_posix()}"
database_url = "{live.database_url}"
""", encoding="utf-8")
    live.live.append(_mail(1))
    result = CliRunner().invoke(main, ["run", "--once", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "本轮处理 1 封新邮件" in result.output and len(live.live.sink.envelopes) == 1


@pytest.mark.parametrize("host", ["imap.126.com", "10.0.0.8"])
def test_an_unencrypted_connection_is_refused_unless_to_this_machine(tmp_path, host):
    config = tmp_path / "c.toml"
    config.write_text(f'[[mailboxes]]\nname = "x"\nhost = "{host}"\nsecurity = "none"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--once", "--config", str(config)])
    assert result.exit_code != 0 and "只允许连接本机地址" in result.output


def test_the_daily_digest_is_queued_once_after_its_hour(live, freeze):
    live.coordinators = ["coordinator@example.org.cn"]
    service = Service(live)
    beijing = live.campaign.zone
    with freeze(datetime(2022, 5, 6, 7, 59, tzinfo=beijing)):
        assert not service.queue_digest_if_due()
    with freeze(datetime(2022, 5, 6, 8, 1, tzinfo=beijing)):
        assert service.queue_digest_if_due()
        assert not service.queue_digest_if_due()  # once per day, however many passes
        service.pipeline.deliver()
    [digest] = [message_from_bytes(e.content, policy=policy.default) for e in live.live.sink.envelopes]
    assert "2022-05-05" in digest["Subject"] and digest["To"] == "coordinator@example.org.cn"



def test_silent_roster_units_get_one_reminder_on_the_day_before_a_deadline(live, freeze):
    beijing = live.campaign.zone
    live.campaign.batches = [Batch("第一批", datetime(2022, 5, 5, 23, 59, 59, tzinfo=beijing))]
    live.campaign.roster = Roster([RosterUnit(UNIT, [], ["txsqxy@163.com"]),
                                   RosterUnit("沈阳市和平区社区学院", [], ["hpsqxy@163.com", "@hp.edu.cn"])])
    live.schedule = ScheduleSettings(remind_days_before=[7, 2])
    service = Service(live)
    live.live.append(_mail(1, date=datetime(2022, 4, 20, 10, 0, tzinfo=CST)), when=datetime(2022, 4, 20, 10, 0, tzinfo=CST))
    with freeze(datetime(2022, 4, 28, 7, 30, tzinfo=beijing)):  # seven days ahead, before the hour
        assert service.once().reminders == 0
    with freeze(datetime(2022, 4, 28, 9, 0, tzinfo=beijing)):
        assert service.once().reminders == 1
        assert service.once().reminders == 0  # once, however many passes
    with freeze(datetime(2022, 4, 29, 9, 0, tzinfo=beijing)):
        assert service.once().reminders == 0
    reminders = [e for e in live.live.sink.envelopes if e.rcpt_tos == ["hpsqxy@163.com"]]
    [reminder] = [message_from_bytes(e.content, policy=policy.default) for e in reminders]
    body = reminder.get_body(("plain",)).get_content()
    assert "沈阳市和平区社区学院" in body and "2022年5月5日 23:59" in body and "还有 7 天" in body


def test_a_failing_mailbox_shows_in_the_digest(live, monkeypatch, freeze):
    live.coordinators = ["coordinator@example.org.cn"]
    live.mailboxes[0].password_env = "INTAKE_UNSET_PASSWORD"
    monkeypatch.delenv("INTAKE_UNSET_PASSWORD", raising=False)
    service = Service(live)
    with freeze(datetime(2022, 5, 6, 9, 0, tzinfo=live.campaign.zone)):
        service.once()
    [digest] = [message_from_bytes(e.content, policy=policy.default) for e in live.live.sink.envelopes]
    text = digest.get_body(("plain",)).get_content()
    assert "以下邮箱目前无法正常收取" in text and "辽宁征集邮箱" in text and "INTAKE_UNSET_PASSWORD" in text


def test_intake_digest_send_mails_the_coordinators_now(live, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(f'[reply]\ncoordinators = ["zhaolaoshi@example.org.cn"]\n[smtp]\nhost = "127.0.0.1"\n'
                      f'port = {live.smtp.port}\nsecurity = "none"\n'
                      f'[storage]\ndata_dir = "{live.data_dir.as_posix()}"\ndatabase_url = "{live.database_url}"\n',
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["digest", "--send", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "每日汇总已发送" in result.output
    [envelope] = live.live.sink.envelopes
    assert envelope.rcpt_tos == ["zhaolaoshi@example.org.cn"]


def test_two_workers_on_one_postgresql_database_never_file_or_answer_twice(live, pg_database):
    live.database_url = pg_database
    for n in range(1, 6):
        live.live.append(_mail(n))
    workers = [Service(live), Service(live)]
    results: list = []
    threads = [threading.Thread(target=lambda w=w: results.append(w.once())) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    filed = [o for r in results for o in r.outcomes if o.status == "accepted"]
    assert len(filed) == 5
    assert sorted(message_from_bytes(e.content, policy=policy.default)["In-Reply-To"]
                  for e in live.live.sink.envelopes) == [f"<tx-{n}@163.com>" for n in range(1, 6)]
    assert len(workers[0].pipeline.db.load_all()) == 5


def test_no_password_reaches_the_logs_the_database_or_the_output(live, monkeypatch, caplog, tmp_path):
    """授权码 come from the environment and go to the servers only: not to logs, rows, digests or files."""
    import logging
    import os

    good = live.mailboxes[0]
    wrong = "wrong-授权码-qwertyzx"
    live.mailboxes = [MailboxSettings(name="错误邮箱", host="127.0.0.1", port=good.port, security="none",
                                      user=good.user, password_env="INTAKE_WRONG_PASSWORD"), good]
    monkeypatch.setenv("INTAKE_WRONG_PASSWORD", wrong)
    live.coordinators = ["coordinator@example.org.cn"]
    live.live.append(_mail(1))
    with caplog.at_level(logging.DEBUG):
        service = Service(live)
        service.once()
        zone = live.campaign.zone
        tomorrow_nine = datetime.combine(clock.today(zone) + timedelta(days=1), datetime.min.time().replace(hour=9),
                                         tzinfo=zone)
        assert service.queue_digest_if_due(tomorrow_nine)
        service.pipeline.deliver()
    assert len(live.live.sink.envelopes) >= 2  # the reply and the digest (with the failed mailbox) went out
    stored = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())  # data, database, outbox
    sent = b"".join(e.content for e in live.live.sink.envelopes)
    for secret in (wrong, os.environ["INTAKE_IMAP_PASSWORD"]):
        assert secret not in caplog.text
        assert secret.encode() not in stored and secret.encode() not in sent
