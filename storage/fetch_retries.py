"""IMAP messages fetched but not filed (the database failed on them): fetched again, pass after pass, until filed.

Such a message is neither flagged nor moved on the server. Mail after it
moves the mailbox's mark (last UID) past it, so these rows are what bring it
back, each time after a longer wait (1, 2, 4 … minutes, at most an hour).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from rules import clock
from storage.database import Database
from storage.models import FetchRetryRecord

LONGEST_WAIT = timedelta(hours=1)


def wait_after(attempts: int) -> timedelta:
    """How long to leave a message after its `attempts`-th failed filing."""
    return min(timedelta(minutes=2 ** min(attempts - 1, 10)), LONGEST_WAIT)


def failed(db: Database, mailbox: str, uidvalidity: int, uid: int, raw_sha256: str, error: str | None) -> int:
    """Count one more failed filing of a fetched message; return how many in a row."""
    with Session(db.engine) as session:
        row = session.exec(_one(mailbox, uidvalidity, uid)).first()
        row = row or FetchRetryRecord(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid, raw_sha256=raw_sha256)
        row.attempts += 1
        row.last_error = error
        row.next_attempt_at = clock.now() + wait_after(row.attempts)
        session.add(row)
        try:
            session.commit()
        except IntegrityError:  # counted by another worker at the same moment
            session.rollback()
        return row.attempts


def waiting(db: Database, mailbox: str, uidvalidity: int) -> tuple[set[int], set[int]]:
    """(UIDs due to be fetched again, UIDs still waiting); rows of an older UIDVALIDITY are dropped."""
    now = clock.now()
    with Session(db.engine) as session:
        rows = session.exec(select(FetchRetryRecord.uidvalidity, FetchRetryRecord.uid, FetchRetryRecord.next_attempt_at)
                            .where(FetchRetryRecord.mailbox == mailbox)).all()
        if any(epoch != uidvalidity for epoch, _, _ in rows):  # the server renumbered: a resync fetches them anew
            session.exec(delete(FetchRetryRecord).where(FetchRetryRecord.mailbox == mailbox,
                                                        FetchRetryRecord.uidvalidity != uidvalidity))
            session.commit()
    rows = [(uid, at) for epoch, uid, at in rows if epoch == uidvalidity]
    return {uid for uid, at in rows if at <= now}, {uid for uid, at in rows if at > now}


def forget(db: Database, mailbox: str, uidvalidity: int, uids: set[int]) -> None:
    """The messages were filed at last, or are no longer in the folder: stop fetching them again."""
    if not uids:
        return
    with Session(db.engine) as session:
        session.exec(delete(FetchRetryRecord).where(FetchRetryRecord.mailbox == mailbox,
                                                    FetchRetryRecord.uidvalidity == uidvalidity,
                                                    FetchRetryRecord.uid.in_(uids)))
        session.commit()


def _one(mailbox: str, uidvalidity: int, uid: int):
    return select(FetchRetryRecord).where(FetchRetryRecord.mailbox == mailbox,
                                          FetchRetryRecord.uidvalidity == uidvalidity, FetchRetryRecord.uid == uid)
