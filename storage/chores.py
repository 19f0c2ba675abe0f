"""Once-a-day jobs of the service (the link re-check): done once per day, whichever worker runs it."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.database import Database
from storage.models import ChoreRecord


def is_done(db: Database, key: str) -> bool:
    with Session(db.engine) as session:
        return session.exec(select(ChoreRecord).where(ChoreRecord.key == key)).first() is not None


def mark_done(db: Database, key: str, outcome: str = "") -> None:
    """Record a finished job; a second worker finishing the same job at once is not an error."""
    with Session(db.engine) as session:
        session.add(ChoreRecord(key=key, outcome=outcome))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
