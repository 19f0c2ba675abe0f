"""A mail in the outgoing table is held by one worker at a time, and a worker that dies lets go of it."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import update

from notifier.outbox import outgoing
from rules import clock
from storage import outgoing as table
from storage.database import Database
from storage.models import OutgoingRecord

ROOT = Path(__file__).resolve().parents[2]
HOLD = """
import sys
from storage import outgoing
from storage.database import Database
claimed = outgoing.claim(Database(sys.argv[1]), int(sys.argv[2]))
print("claimed" if claimed else "taken", flush=True)
sys.stdin.read()  # sending... until the test kills it
"""


def _queued(db: Database) -> int:
    msg = EmailMessage()
    msg["From"], msg["To"] = "zhzl@example.org.cn", "tlsqxy@163.com"
    msg["Subject"], msg["Message-ID"] = "Re: 铁岭市社区学院+智慧助老材料+1个", "<receipt-1@example.org.cn>"
    msg.set_content("贵单位报送的材料已收到。")
    assert table.queue(db, outgoing(msg, "auto:tl-1", "receipt"))
    with db.engine.begin() as connection:  # due for an hour: a worker process's clock (faketime) may lag ours
        connection.execute(update(OutgoingRecord).values(next_attempt_at=clock.now() - timedelta(hours=1)))
    [row] = table.due(db)
    return row.id


def _hold(db: Database, row_id: int) -> subprocess.Popen:
    """Another `intake` process claims the row and is in the middle of sending it."""
    worker = subprocess.Popen([sys.executable, "-c", HOLD, db.url, str(row_id)], cwd=ROOT, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert worker.stdout.readline().strip() == "claimed"
    return worker


def test_a_row_a_live_worker_holds_is_not_handed_out_and_comes_back_when_the_worker_is_killed(db):
    row_id = _queued(db)
    worker = _hold(db, row_id)
    try:
        assert table.due(db) == [] and table.claim(db, row_id) is None
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert [row.id for row in table.due(db)] == [row_id], "a killed claimant's row is pending again at once"
    mail = table.claim(db, row_id)
    table.finish(mail, status="sent")
    assert table.due(db) == [] and table.counts(db) == {"sent": 1}


def test_a_claim_from_another_machine_is_given_back_only_after_the_lease(db, freeze):
    row_id = _queued(db)
    with db.engine.begin() as connection:  # a second `intake run` on another server (PostgreSQL) took it
        connection.execute(update(OutgoingRecord).where(OutgoingRecord.id == row_id).values(
            status="sending", claimed_by="intake-2.example.org.cn:4242:1187", claimed_at=clock.now()))
    assert table.due(db) == [] and table.counts(db) == {"pending": 1}
    with freeze(clock.now() + table.LEASE - timedelta(minutes=1)):
        assert table.due(db) == []
    with freeze(clock.now() + table.LEASE + timedelta(minutes=1)):
        assert [row.id for row in table.due(db)] == [row_id]
