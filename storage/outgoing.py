"""The outgoing table: queue a composed mail once, hand out what is due, remember what was sent.

A worker claims a row by a conditional update (`pending` → `sending`, one
row changed or none), committed before the mail leaves, so two workers —
two `intake run`, or the loop and a console action in one — never send the
same row, on SQLite and PostgreSQL alike. A worker that dies mid-send
leaves its row `sending`; the row goes back to `pending` as soon as its
claimant is seen dead (same machine: its process is gone) or its claim is
older than `LEASE` (any machine). The one window no mail system closes
stays as it was: killed after the server's 250 and before `sent` was
committed, the same stored bytes (same Message-ID) go out once more.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import Outgoing
from rules import clock
from storage.database import Database
from storage.mapping import outgoing_row
from storage.models import OutgoingRecord

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
LEASE = timedelta(minutes=15)  # far past one SMTP send (30 s per step): an older claim is a dead worker's


def queue(db: Database, item: Outgoing, submission_id: int | None = None) -> bool:
    """Queue a mail; False when one with the same key is already queued or sent (never twice)."""
    with Session(db.engine) as session:
        session.add(outgoing_row(item, submission_id))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
        return True


def exists(db: Database, key: str) -> bool:
    with Session(db.engine) as session:
        return session.exec(select(OutgoingRecord.id).where(OutgoingRecord.key == key)).first() is not None


def due(db: Database, limit: int = 50) -> list[OutgoingRecord]:
    """Pending rows whose time has come, oldest first (rows a dead worker held count again)."""
    recover(db)
    with Session(db.engine) as session:
        query = (select(OutgoingRecord).where(OutgoingRecord.status == "pending",
                                              OutgoingRecord.next_attempt_at <= clock.now())
                 .order_by(OutgoingRecord.id).limit(limit))
        return list(session.exec(query))


@dataclass
class Claimed:
    """A mail this worker holds (`sending`) while it is sent; `finish` records the outcome and lets go."""

    db: Database
    worker: str
    row_id: int
    key: str
    kind: str
    to: list[str]
    message_id: str
    raw: bytes
    attempts: int


def claim(db: Database, row_id: int) -> Claimed | None:
    """Take one due row to send; None if another worker has it or it went out meanwhile."""
    me, now = worker(), clock.now()
    with db.engine.begin() as connection:
        taken = connection.execute(update(OutgoingRecord).where(
            OutgoingRecord.id == row_id, OutgoingRecord.status == "pending", OutgoingRecord.next_attempt_at <= now,
        ).values(status="sending", claimed_by=me, claimed_at=now)).rowcount
    if taken != 1:
        return None
    with Session(db.engine) as session:
        row = session.get(OutgoingRecord, row_id)
        return Claimed(db, me, row_id, row.key, row.kind, [a.strip() for a in row.to.split(",") if a.strip()],
                       row.message_id, row.raw, row.attempts)


def finish(claimed: Claimed, *, status: str, error: str | None = None,
           retry_in: timedelta | None = None, outbox_path: str | None = None) -> None:
    """Record the outcome of one attempt and release the row.

    A mail that went out is marked sent even if its claim lapsed meanwhile
    (a send slower than LEASE): whoever took the row back must not send it again.
    """
    now = clock.now()
    attempts = claimed.attempts + 1
    values = {"attempts": attempts, "last_error": error, "claimed_by": None, "claimed_at": None}
    mine = [OutgoingRecord.id == claimed.row_id]
    if status == "retry":
        values.update(status="failed" if attempts >= MAX_ATTEMPTS else "pending",
                      next_attempt_at=now + (retry_in or timedelta(minutes=1)))
        mine += [OutgoingRecord.status == "sending", OutgoingRecord.claimed_by == claimed.worker]
    else:
        values.update(status=status, sent_at=now, outbox_path=outbox_path)
        mine += [OutgoingRecord.status.in_(("sending", "pending"))]
    with claimed.db.engine.begin() as connection:
        if connection.execute(update(OutgoingRecord).where(*mine).values(**values)).rowcount != 1:
            log.warning("the claim on %s lapsed before its outcome (%s) was recorded", claimed.key, status)


def recover(db: Database) -> int:
    """Give back to `pending` every row whose claimant died mid-send; return how many."""
    now = clock.now()
    with Session(db.engine) as session:
        stuck = session.exec(select(OutgoingRecord.id, OutgoingRecord.key, OutgoingRecord.claimed_by,
                                    OutgoingRecord.claimed_at).where(OutgoingRecord.status == "sending")).all()
    recovered = 0
    for row_id, key, by, at in stuck:
        if not _dead(by, at, now):
            continue
        with db.engine.begin() as connection:  # unless it changed hands or finished meanwhile
            back = connection.execute(update(OutgoingRecord).where(
                OutgoingRecord.id == row_id, OutgoingRecord.status == "sending", OutgoingRecord.claimed_by == by,
            ).values(status="pending", claimed_by=None, claimed_at=None)).rowcount
        if back:
            log.warning("outgoing %s was left sending by %s, a worker that stopped; it goes out again", key, by)
        recovered += back
    return recovered


def worker() -> str:
    """This process as a claimant: host, pid and the pid's start time (a reused pid is another process)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_started(os.getpid())}"


def _started(pid: int) -> str:
    """When process `pid` started, in clock ticks since boot (Linux /proc); "" if there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[19].decode()
    except (OSError, IndexError):
        return ""


def _dead(claimed_by: str | None, claimed_at: datetime | None, now: datetime) -> bool:
    """Whether a `sending` row's claimant is gone: past the lease, or a process of this machine no longer running."""
    if claimed_by is None or claimed_at is None or now - claimed_at > LEASE:
        return True
    host, _, rest = claimed_by.partition(":")
    pid, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's worker: only the lease can tell
    return _started(int(pid)) != started


def sent_to_since(db: Database, address: str, since: datetime) -> int:
    """How many mails went to `address` since `since` (the per-recipient hourly guard)."""
    with Session(db.engine) as session:
        query = select(func.count()).select_from(OutgoingRecord).where(
            OutgoingRecord.status.in_(("sent", "written")), OutgoingRecord.sent_at >= since,
            OutgoingRecord.to.contains(address))
        return session.exec(query).one()


def raw(db: Database, key: str) -> bytes | None:
    """The mail as composed (and sent) under `key`."""
    with Session(db.engine) as session:
        return session.exec(select(OutgoingRecord.raw).where(OutgoingRecord.key == key)).first()


def counts(db: Database) -> dict[str, int]:
    """How many mails are pending (a mail being sent right now included), sent, written or failed."""
    with Session(db.engine) as session:
        found: dict[str, int] = {}
        for status, n in session.exec(select(OutgoingRecord.status, func.count()).group_by(OutgoingRecord.status)):
            key = "pending" if status == "sending" else status
            found[key] = found.get(key, 0) + n
        return found


def last_failure(db: Database) -> OutgoingRecord | None:
    """The most recent attempt that went wrong (a pending retry or a mail given up)."""
    with Session(db.engine) as session:
        return session.exec(select(OutgoingRecord).where(OutgoingRecord.last_error.is_not(None))
                            .order_by(OutgoingRecord.id.desc())).first()
