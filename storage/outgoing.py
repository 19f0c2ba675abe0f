"""The outgoing table: queue a composed mail once, hand out what is due, remember what was sent.

Rows are claimed with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two
workers never send the same row; SQLite serialises writers by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from notifier.outbox import Outgoing
from rules import clock
from storage.database import Database
from storage.mapping import outgoing_row
from storage.models import OutgoingRecord

MAX_ATTEMPTS = 12


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
    """Pending rows whose time has come, oldest first."""
    with Session(db.engine) as session:
        query = (select(OutgoingRecord).where(OutgoingRecord.status == "pending",
                                              OutgoingRecord.next_attempt_at <= clock.now())
                 .order_by(OutgoingRecord.id).limit(limit))
        return list(session.exec(query))


@dataclass
class Claimed:
    """A pending mail held by this worker while it is sent (the row stays locked on PostgreSQL)."""

    session: Session
    row_id: int
    key: str
    kind: str
    to: list[str]
    message_id: str
    raw: bytes
    attempts: int


def claim(db: Database, row_id: int) -> Claimed | None:
    """Take one pending row to send; None if another worker has it or it went out meanwhile."""
    session = Session(db.engine)
    query = select(OutgoingRecord).where(OutgoingRecord.id == row_id, OutgoingRecord.status == "pending")
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    row = session.exec(query).first()
    if row is None:
        session.close()
        return None
    return Claimed(session, row_id, row.key, row.kind, [a.strip() for a in row.to.split(",") if a.strip()],
                   row.message_id, row.raw, row.attempts)


def finish(claimed: Claimed, *, status: str, error: str | None = None,
           retry_in: timedelta | None = None, outbox_path: str | None = None) -> None:
    """Record the outcome of one attempt and release the row."""
    session = claimed.session
    try:
        row = session.get(OutgoingRecord, claimed.row_id)
        row.attempts += 1
        row.last_error = error
        if status == "retry":
            row.status = "failed" if row.attempts >= MAX_ATTEMPTS else "pending"
            row.next_attempt_at = clock.now() + (retry_in or timedelta(minutes=1))
        else:
            row.status = status
            row.sent_at = clock.now()
            row.outbox_path = outbox_path
        session.add(row)
        session.commit()
    finally:
        session.close()


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
    """How many mails are pending, sent, written or failed: the sending health."""
    with Session(db.engine) as session:
        rows = session.exec(select(OutgoingRecord.status, func.count()).group_by(OutgoingRecord.status))
        return {status: n for status, n in rows}


def last_failure(db: Database) -> OutgoingRecord | None:
    """The most recent attempt that went wrong (a pending retry or a mail given up)."""
    with Session(db.engine) as session:
        return session.exec(select(OutgoingRecord).where(OutgoingRecord.last_error.is_not(None))
                            .order_by(OutgoingRecord.id.desc())).first()
