"""The database: the one place that reads and writes submission records.

Any SQLAlchemy URL works (SQLite file by default, PostgreSQL in production).
`file_submission` writes a message with all it carried in one transaction,
so a crash leaves either the whole submission or nothing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, create_engine, select

from parsers.facts import Defect, Material, ShareLink, Submission
from storage.models import DefectRecord, LinkRecord, MaterialRecord, ReplyRecord, SubmissionRecord, utcnow

ACTIVE = ("accepted", "defective")


def unit_key(unit: str | None, sender: str) -> str:
    """Who a submission is from, for supersession: the unit's name, else the sender."""
    if unit:
        return "".join(unicodedata.normalize("NFKC", unit).split()).lower()
    return sender.lower()


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        SQLModel.metadata.create_all(self.engine)

    def find_duplicate(self, message_id: str, raw_sha256: str, sender: str) -> SubmissionRecord | None:
        """An earlier record of the same bytes, or of the same Message-ID from the same sender.

        Messages whose processing failed are not counted, so ingesting them again retries.
        """
        with Session(self.engine) as session:
            done = select(SubmissionRecord).where(SubmissionRecord.status != "error")  # errors are retried
            found = session.exec(done.where(SubmissionRecord.raw_sha256 == raw_sha256)).first()
            if found is None and message_id:
                same_id = done.where(SubmissionRecord.message_id == message_id, SubmissionRecord.sender == sender)
                found = session.exec(same_id).first()
            return found

    def file_submission(self, sub: Submission, *, raw_sha256: str, source: str, status: str,
                        defects: list[Defect], note: str | None = None) -> int:
        """Store one judged message; return its id. Supersedes the unit's earlier one in the batch."""
        msg = sub.message
        record = SubmissionRecord(
            message_id=msg.message_id, raw_sha256=raw_sha256, source=source, subject=msg.subject,
            sender=msg.sender, reply_to=msg.reply_to, sent_at=sub.sent_at, unit=sub.subject.unit,
            unit_key=unit_key(sub.subject.unit, msg.sender), declared_count=sub.subject.declared_count,
            batch=sub.batch, status=status, note=note, problems="；".join(msg.problems) or None,
        )
        with Session(self.engine) as session:
            session.add(record)
            session.flush()
            session.add_all(_material_row(record.id, m) for m in sub.materials)
            session.add_all(_link_row(record.id, link) for link in sub.links)
            session.add_all(DefectRecord(submission_id=record.id, **asdict(d)) for d in defects)
            if status in ACTIVE:
                self._supersede(session, record)
            session.commit()
            return record.id

    def _supersede(self, session: Session, record: SubmissionRecord) -> None:
        earlier = select(SubmissionRecord).where(
            SubmissionRecord.unit_key == record.unit_key,
            SubmissionRecord.batch == record.batch,
            SubmissionRecord.status.in_(ACTIVE),
            SubmissionRecord.superseded_by.is_(None),
            SubmissionRecord.id != record.id,
        )
        for old in session.exec(earlier):
            old.superseded_by = record.id
            session.add(old)

    def record_reply(self, submission_id: int, *, kind: str, to: str, message_id: str,
                     outbox_path: str | None) -> bool:
        """Remember the reply; False if this submission already has one (never reply twice)."""
        with Session(self.engine) as session:
            session.add(ReplyRecord(submission_id=submission_id, kind=kind, to=to,
                                    message_id=message_id, outbox_path=outbox_path))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
            return True

    def has_reply(self, submission_id: int) -> bool:
        with Session(self.engine) as session:
            query = select(ReplyRecord).where(ReplyRecord.submission_id == submission_id)
            return session.exec(query).first() is not None

    def submission(self, submission_id: int) -> SubmissionRecord | None:
        with Session(self.engine) as session:
            return session.get(SubmissionRecord, submission_id)

    def submissions(self, since: datetime | None = None, until: datetime | None = None) -> list[SubmissionRecord]:
        with Session(self.engine) as session:
            query = select(SubmissionRecord).order_by(SubmissionRecord.id)
            if since is not None:
                query = query.where(SubmissionRecord.received_at >= since)
            if until is not None:
                query = query.where(SubmissionRecord.received_at < until)
            return list(session.exec(query))

    def materials(self, submission_id: int) -> list[MaterialRecord]:
        return self._children(MaterialRecord, submission_id)

    def defects(self, submission_id: int) -> list[DefectRecord]:
        return self._children(DefectRecord, submission_id)

    def links(self, submission_id: int | None = None) -> list[LinkRecord]:
        return self._children(LinkRecord, submission_id)

    def _children(self, table, submission_id: int | None) -> list:
        with Session(self.engine) as session:
            query = select(table).order_by(table.id)
            if submission_id is not None:
                query = query.where(table.submission_id == submission_id)
            return list(session.exec(query))



def _material_row(submission_id: int, m: Material) -> MaterialRecord:
    pages = [asdict(p) | {"text": p.text[:2000]} for p in (m.scan.pages if m.scan else [])]
    return MaterialRecord(
        submission_id=submission_id, kind=m.kind, filename=m.filename, sha256=m.sha256, size=m.size,
        title=m.title, unit=m.form.unit if m.form else None, fields=m.fields, pages=pages,
        unreadable=m.unreadable,
    )


def _link_row(submission_id: int, link: ShareLink) -> LinkRecord:
    checked_at = utcnow() if link.check else None
    return LinkRecord(
        submission_id=submission_id, provider=link.provider, url=link.url, share_id=link.share_id,
        code=link.code, found_in=link.found_in, check=link.check, check_detail=link.check_detail,
        checked_at=checked_at,
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL stays consistent after a crash; the raw message is already fsynced
    # in the file store, so a lost last transaction is recovered by ingesting again.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
