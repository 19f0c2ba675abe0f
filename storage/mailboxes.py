"""What the database remembers of each watched mailbox: UIDVALIDITY, last UID, health, handled UIDs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from rules import clock
from storage.database import Database
from storage.models import FetchedRecord, MailboxStateRecord


def state(db: Database, mailbox: str) -> MailboxStateRecord:
    with Session(db.engine) as session:
        found = session.exec(select(MailboxStateRecord).where(MailboxStateRecord.mailbox == mailbox)).first()
        return found or MailboxStateRecord(mailbox=mailbox)


def _save(db: Database, mailbox: str, **changes) -> None:
    with Session(db.engine) as session:
        row = session.exec(select(MailboxStateRecord).where(MailboxStateRecord.mailbox == mailbox)).first()
        row = row or MailboxStateRecord(mailbox=mailbox)
        for name, value in changes.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()


def start_epoch(db: Database, mailbox: str, uidvalidity: int) -> tuple[int, bool]:
    """(last UID handled under this UIDVALIDITY, whether this is the mailbox's first sync).

    After a UIDVALIDITY change the mark starts again from 0: a resync, whose
    duplicates the pipeline recognises by content hash and Message-ID.
    """
    current = state(db, mailbox)
    if current.uidvalidity != uidvalidity:
        _save(db, mailbox, uidvalidity=uidvalidity, last_uid=0)
        return 0, current.uidvalidity is None
    return current.last_uid, False


def handled(db: Database, mailbox: str, uidvalidity: int, uid: int, raw_sha256: str, status: str) -> None:
    """Remember one handled UID and move the mark forward (after the IMAP flag or move)."""
    with Session(db.engine) as session:
        session.add(FetchedRecord(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid, raw_sha256=raw_sha256,
                                  status=status))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
    current = state(db, mailbox)
    _save(db, mailbox, last_uid=max(current.last_uid, uid), last_ok_at=clock.now(), last_error=None)


def handled_pass(db: Database, mailbox: str) -> None:
    """A pass that went well (even with nothing new): the mailbox is healthy again."""
    _save(db, mailbox, last_ok_at=clock.now(), last_error=None)


def was_handled(db: Database, mailbox: str, uidvalidity: int, uid: int) -> bool:
    with Session(db.engine) as session:
        return session.exec(select(FetchedRecord).where(
            FetchedRecord.mailbox == mailbox, FetchedRecord.uidvalidity == uidvalidity,
            FetchedRecord.uid == uid)).first() is not None


def failed(db: Database, mailbox: str, error: str) -> None:
    _save(db, mailbox, last_error=error, last_error_at=clock.now())


def all_states(db: Database) -> list[MailboxStateRecord]:
    with Session(db.engine) as session:
        return list(session.exec(select(MailboxStateRecord).order_by(MailboxStateRecord.mailbox)))


@contextmanager
def exclusive(db: Database, mailbox: str) -> Iterator[bool]:
    """Whether this worker may read `mailbox` now: a PostgreSQL advisory lock held for the pass.

    A second `intake run` on the same database skips a mailbox the first is
    reading. On SQLite (one machine) it is always True; the unique keys still
    stop anything from being filed or answered twice.
    """
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    key = int.from_bytes(hashlib.sha256(f"intake-mailbox:{mailbox}".encode()).digest()[:8], "big", signed=True)
    with db.engine.connect() as connection:
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
        try:
            yield bool(got)
        finally:
            if got:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
