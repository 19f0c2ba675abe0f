"""Polling cost and reply latency of `intake run`, against a real Dovecot and an SMTP sink on 127.0.0.1.

1. One pass that finds 10 new messages in a mailbox that already holds 10,000
   handled ones, next to the same pass in a mailbox holding only those 10
   (the floor, measured in the same run): only what is new may cost.
2. Seconds from APPEND of a new message to the reply at the SMTP sink while
   `intake run` waits with IMAP IDLE (poll interval 10 minutes, so only IDLE
   can be that fast); the median of 3.

Run: .venv/bin/python bench/poll.py [--old 10000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller  # noqa: E402
from imapclient import IMAPClient  # noqa: E402

from ingest.config.settings import load_settings  # noqa: E402
from ingest.service.mailbox import connect  # noqa: E402
from ingest.samples.forms import build_case_form  # noqa: E402
from tests.support.imap_server import PASSWORD, dovecot, free_port  # noqa: E402
from ingest.samples.mails import MailSpec, build_mail  # noqa: E402
from ingest.service.loop import Service  # noqa: E402
from ingest.config.service_settings import MailboxSettings, ScheduleSettings, SmtpSettings  # noqa: E402
from rules import clock  # noqa: E402
from rules.campaign import Batch  # noqa: E402
from storage import mailboxes  # noqa: E402

UNIT = "沈阳市铁西区社区学院"
FORM = build_case_form(unit=UNIT)


class Sink:
    def __init__(self):
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        return "250 OK"


def mail(tag: str) -> bytes:
    now = clock.now()
    return build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", message_id=f"<{tag}@163.com>", date=now,
                               attachments=[(f"{UNIT}+案例.docx", FORM)]))


def fill_maildir(maildir: Path, count: int, owner: tuple[int, int]) -> None:
    """Old, read mail written straight into the Maildir's cur/ (as a long-used mailbox has it)."""
    cur = maildir / "cur"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    body = b"From: old@163.com\r\nSubject: old\r\nMessage-ID: <old-%d@163.com>\r\n\r\nold mail\r\n"
    for n in range(count):
        (cur / f"{1600000000 + n}.M{n}P1.bench:2,S").write_bytes(body % n)
    for path in [maildir, *maildir.rglob("*")]:
        os.chown(path, *owner)


def settings_for(base: Path, box: MailboxSettings, smtp_port: int):
    settings = load_settings(None, db=f"sqlite:///{base / 'intake.sqlite'}")
    settings.data_dir = base / "data"
    settings.outbox_dir = base / "outbox"
    settings.mailboxes = [box]
    settings.smtp = SmtpSettings(host="127.0.0.1", port=smtp_port, security="none", max_per_recipient_per_hour=10**6)
    settings.coordinators = []
    settings.campaign.require_scan = False
    settings.campaign.batches = [Batch("第一批", clock.now() + timedelta(days=30))]
    return settings


def append(box: MailboxSettings, tags: list[str]) -> None:
    client = IMAPClient("127.0.0.1", port=box.port, ssl=False)
    client.login(box.user, PASSWORD)
    for tag in tags:
        client.append("INBOX", mail(tag))
    client.logout()


def pass_seconds(server, old: int, smtp_port: int, base: Path) -> float:
    """One pass finding 10 new messages in a mailbox holding `old` handled ones."""
    user = server.account()
    box = MailboxSettings(name=f"box-{old}", host="127.0.0.1", port=server.port, security="none", user=user)
    owner = (os.stat(server.base / "mail").st_uid, os.stat(server.base / "mail").st_gid)
    if old:
        fill_maildir(server.maildir(user), old, owner)
    service = Service(settings_for(base, box, smtp_port))
    client = connect(box)  # as earlier passes would have: the server has indexed it, every old message is handled
    client.search(["ALL"])
    status = client.folder_status("INBOX", [b"UIDVALIDITY", b"UIDNEXT"])
    client.logout()
    mailboxes.start_epoch(service.pipeline.db, box.name, int(status[b"UIDVALIDITY"]))
    mailboxes._save(service.pipeline.db, box.name, last_uid=int(status[b"UIDNEXT"]) - 1)
    service.once()  # the service's previous pass: logged in, nothing new
    append(box, [f"{box.name}-{n}" for n in range(10)])
    started = time.perf_counter()
    done = service.once()
    elapsed = time.perf_counter() - started
    assert len(done.outcomes) == 10, [o.status for o in done.outcomes]
    return elapsed


def idle_latency(server, sink: Sink, smtp_port: int, base: Path) -> float:
    box = MailboxSettings(name="idle", host="127.0.0.1", port=server.port, security="none", user=server.account())
    settings = settings_for(base, box, smtp_port)
    settings.schedule = ScheduleSettings(poll_seconds=600)
    service, stop = Service(settings), threading.Event()
    worker = threading.Thread(target=service.run, args=(stop,), daemon=True)
    worker.start()
    time.sleep(2)  # the first pass and the IDLE connection
    samples = []
    for n in range(3):
        before = sink.count
        started = time.perf_counter()
        append(box, [f"idle-{n}"])
        while sink.count == before and time.perf_counter() - started < 60:
            time.sleep(0.02)
        samples.append(time.perf_counter() - started)
    stop.set()
    worker.join(timeout=30)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--old", type=int, default=10_000, help="handled messages already in the big mailbox")
    args = parser.parse_args()
    os.environ["INTAKE_IMAP_PASSWORD"] = PASSWORD
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        with dovecot() as server, tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp)
            small = pass_seconds(server, 0, smtp_port, base / "small")
            big = pass_seconds(server, args.old, smtp_port, base / "big")
            latency = idle_latency(server, sink, smtp_port, base / "idle")
    finally:
        controller.stop()
    print(f"pass with 10 new in a {args.old}-message mailbox: {big:.2f} s; in a 10-message mailbox: {small:.2f} s")
    print(f"APPEND to reply at the SMTP sink with IDLE: {latency:.2f} s (median of 3)")
    print(f"poll_big_s={big:.2f} poll_small_s={small:.2f} ratio_vs_floor={big / small:.2f} idle_reply_s={latency:.2f}")


if __name__ == "__main__":
    main()
