"""The share links of the standing collection, for the daily re-check, and what the re-check found."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from parsers.facts import ShareLink
from rules.vocabulary import Status
from storage.database import Database
from storage.mapping import link_from_row
from storage.models import LinkRecord, SubmissionRecord

DEFINITE = ("alive", "dead", "wrong_code")


def standing_links(db: Database) -> list[tuple[int, ShareLink]]:
    """(row id, link) for each checkable link of an accepted mail that is still in the collection."""
    with Session(db.engine) as session:
        rows = session.exec(select(LinkRecord).join(SubmissionRecord, LinkRecord.submission_id == SubmissionRecord.id)
                            .where(SubmissionRecord.status == Status.ACCEPTED, SubmissionRecord.superseded_by.is_(None),
                                   LinkRecord.share_id.is_not(None)).order_by(LinkRecord.id))
        return [(row.id, link_from_row(row)) for row in rows]


def save_checks(db: Database, checked: list[tuple[int, ShareLink]], at: datetime) -> int:
    """Store each definite answer; an "unknown" (network trouble, captcha) keeps the earlier one. Returns how many."""
    saved = 0
    with Session(db.engine) as session:
        for row_id, link in checked:
            row = session.get(LinkRecord, row_id)
            if row is None or link.check not in DEFINITE:
                continue
            row.check, row.check_detail, row.checked_at = link.check, link.check_detail, at
            session.add(row)
            saved += 1
        session.commit()
    return saved
