"""The database: the one place that reads and writes submission records.

Any SQLAlchemy URL works (SQLite file by default, PostgreSQL in production).
`file_submission` writes a message with all it carried in one transaction,
so a crash leaves either the whole submission or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, create_engine, select

from parsers.facts import Defect, Submission
from rules.vocabulary import Status
from storage.mapping import StoredSubmission, finding_rows, judged_fields, outgoing_row, stored_submission
from storage.models import DefectRecord, LinkRecord, MaterialRecord, Outgoing, OutgoingRecord, SubmissionRecord
from storage.schema import ensure_schema

ACTIVE = (Status.ACCEPTED, Status.DEFECTIVE)


@dataclass
class KnownUnit:
    """What earlier mail tells about a new one's unit."""

    unit: str | None = None
    how: str = ""  # in Chinese, for the unit's evidence
    answers_our_notice: bool = False  # a reply to one of our defect notices


def open_engine(url: str) -> Engine:
    """The configured database's engine, as every door into it opens it (SQLite with WAL and full sync)."""
    engine = create_engine(url)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@contextmanager
def maintenance(url: str) -> Iterator[Engine]:
    """The database opened without the schema check, for `intake db` (which reports and upgrades the schema)."""
    engine = open_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = open_engine(url)
        ensure_schema(self.engine)

    def find_duplicate(self, message_id: str, raw_sha256: str, sender: str) -> SubmissionRecord | None:
        """An earlier record of the same bytes, or of the same Message-ID from the same sender.

        Messages whose processing failed are not counted, so ingesting them again retries.
        """
        with Session(self.engine) as session:
            done = select(SubmissionRecord).where(SubmissionRecord.status != Status.ERROR)  # errors are retried
            found = session.exec(done.where(SubmissionRecord.raw_sha256 == raw_sha256)).first()
            if found is None and message_id:
                same_id = done.where(SubmissionRecord.message_id == message_id, SubmissionRecord.sender == sender)
                found = session.exec(same_id).first()
            return found

    def file_submission(self, sub: Submission, *, raw_sha256: str, source: str, status: str,
                        defects: list[Defect], note: str | None = None, outgoing: list[Outgoing] = ()) -> int | None:
        """Store one judged message with the reply it calls for, in one transaction; return its id.

        Retires what it replaces in the unit's collection. None when its
        reply's key is taken: the same mail was filed and answered already.
        A refusal that is no such duplicate (a constraint or trigger of the
        database) raises: the mail is not filed and must not pass for filed.
        """
        msg = sub.message
        record = SubmissionRecord(
            message_id=msg.message_id, raw_sha256=raw_sha256, source=source, subject=msg.subject,
            sender=msg.sender, reply_to=msg.reply_to, status=status, note=note,
            problems="；".join(msg.problems) or None, **judged_fields(sub),
        )
        with Session(self.engine) as session:
            try:
                session.add(record)
                session.flush()
                session.add_all(finding_rows(record.id, sub, defects))
                session.add_all(outgoing_row(item, record.id) for item in outgoing)
                session.flush()
                if status in ACTIVE:
                    self.supersede(session, record, sub)
                session.commit()
            except IntegrityError:
                session.rollback()
                if status != Status.ERROR and self._filed_already(msg.message_id, raw_sha256, msg.sender, outgoing):
                    return None
                raise
            return record.id

    def _filed_already(self, message_id: str, raw_sha256: str, sender: str, outgoing: list[Outgoing]) -> bool:
        """After a unique key refused a filing: is the mail, or the reply it carries, really in the database?"""
        if self.find_duplicate(message_id, raw_sha256, sender) is not None:
            return True
        keys = [item.key for item in outgoing]
        if not keys:
            return False
        with Session(self.engine) as session:
            return session.exec(select(OutgoingRecord.id).where(OutgoingRecord.key.in_(keys))).first() is not None

    def supersede(self, session: Session, record: SubmissionRecord, sub: Submission) -> None:
        """Retire what the new submission replaces in the unit's collection for its batch.

        Material by material (same key), or the whole set when the mail says
        so. An earlier submission none of whose materials is left in the
        collection is superseded as a whole.
        """
        earlier = list(session.exec(select(SubmissionRecord).where(
            SubmissionRecord.unit_key == record.unit_key,
            SubmissionRecord.batch == record.batch,
            SubmissionRecord.status.in_(ACTIVE),
            SubmissionRecord.superseded_by.is_(None),
            SubmissionRecord.id < record.id,  # only what came before: a re-run must not retire later mail
        )))
        keys = {m.key for m in sub.materials if m.key}
        for old in earlier:
            live = [m for m in self._children_in(session, MaterialRecord, old.id) if m.superseded_by is None]
            for material in live:
                if sub.replaces_all or material.material_key in keys:
                    material.superseded_by = record.id
                    material.superseded_reason = "整套重新报送" if sub.replaces_all else "同一材料重新报送"
                    session.add(material)
            if all(m.superseded_by is not None for m in live) and (live or sub.materials or sub.replaces_all):
                old.superseded_by = record.id
                session.add(old)

    def submission(self, submission_id: int) -> SubmissionRecord | None:
        with Session(self.engine) as session:
            return session.get(SubmissionRecord, submission_id)

    def load(self, submission_id: int) -> StoredSubmission | None:
        """One filed message as the facts it was judged on, with its state in the collection."""
        with Session(self.engine) as session:
            record = session.get(SubmissionRecord, submission_id)
            return self._stored(session, record) if record else None

    def load_all(self, since: datetime | None = None, until: datetime | None = None,
                 statuses: tuple[str, ...] | None = None) -> list[StoredSubmission]:
        """Every filed message (received in [since, until), with one of `statuses`), oldest first."""
        with Session(self.engine) as session:
            query = select(SubmissionRecord).order_by(SubmissionRecord.id)
            if since is not None:
                query = query.where(SubmissionRecord.received_at >= since)
            if until is not None:
                query = query.where(SubmissionRecord.received_at < until)
            if statuses:
                query = query.where(SubmissionRecord.status.in_(statuses))
            return [self._stored(session, record) for record in session.exec(query)]

    def latest(self, count: int) -> list[StoredSubmission]:
        """The `count` most recently filed messages, newest first."""
        with Session(self.engine) as session:
            query = select(SubmissionRecord).order_by(SubmissionRecord.id.desc()).limit(count)
            return [self._stored(session, record) for record in session.exec(query)]

    def _stored(self, session: Session, record: SubmissionRecord) -> StoredSubmission:
        return stored_submission(record, *(self._children_in(session, table, record.id)
                                           for table in (MaterialRecord, LinkRecord, DefectRecord, OutgoingRecord)))

    @staticmethod
    def _children_in(session: Session, table, submission_id: int) -> list:
        return list(session.exec(select(table).where(table.submission_id == submission_id).order_by(table.id)))

    def known_unit(self, sender: str, thread_ids: list[str]) -> KnownUnit:
        """The unit of a new mail's thread (our reply or the unit's own earlier mail), else of its sender.

        Thread first: a reply in the thread of one of our notices is that
        unit's answer, whatever address it comes from.
        """
        with Session(self.engine) as session:
            if thread_ids:
                replies = session.exec(select(OutgoingRecord).where(OutgoingRecord.message_id.in_(thread_ids),
                                                                    OutgoingRecord.submission_id.is_not(None))).all()
                for reply in replies:
                    record = session.get(SubmissionRecord, reply.submission_id)
                    if record is not None and record.unit:
                        return KnownUnit(record.unit, "回复本系统此前的回信", reply.kind == "defects")
                own = session.exec(select(SubmissionRecord).where(
                    SubmissionRecord.message_id.in_(thread_ids), SubmissionRecord.unit.is_not(None))).first()
                if own is not None:
                    return KnownUnit(own.unit, "同一邮件往来中此前的报送")
            if sender:
                latest = session.exec(select(SubmissionRecord).where(
                    SubmissionRecord.sender == sender.lower(), SubmissionRecord.unit.is_not(None),
                    SubmissionRecord.status.in_(ACTIVE)).order_by(SubmissionRecord.id.desc())).first()
                if latest is not None:
                    return KnownUnit(latest.unit, "同一发件地址此前的报送")
        return KnownUnit()



def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a committed filing survives a power loss. With NORMAL the last commits could
    # vanish while the reply they recorded was already sent, and the next run would answer again.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
