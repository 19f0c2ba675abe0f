"""Coordinator decisions and re-runs on filed submissions, each kept in the history.

`accept`/`reject` override the verdict, `refile` replaces what a re-run of
the pipeline found; every change leaves a `HistoryRecord` behind it.
"""

from __future__ import annotations

from sqlmodel import Session, delete, select, update

from parsers.facts import Defect, Submission
from storage.database import ACTIVE, Database
from storage.mapping import defect_row, finding_rows, judged_fields
from storage.models import DefectRecord, HistoryRecord, LinkRecord, MaterialRecord, SubmissionRecord


def override(db: Database, submission_id: int, status: str, note: str, action: str,
             defect: Defect | None = None, actor: str | None = None) -> bool:
    """Set a coordinator's verdict on a submission; False when there is no such submission."""
    with Session(db.engine) as session:
        record = session.get(SubmissionRecord, submission_id)
        if record is None:
            return False
        session.add(HistoryRecord(submission_id=submission_id, action=action, from_status=record.status,
                                  to_status=status, note=note, actor=actor))
        record.status = status
        session.add(record)
        if defect is not None:
            session.add(defect_row(submission_id, defect))
        session.commit()
        return True


def refile(db: Database, submission_id: int, sub: Submission, status: str, defects: list[Defect],
           note: str | None, actor: str | None = None) -> None:
    """Replace a submission's findings with a re-run's, in one transaction, and note it in the history.

    Supersession moves on from here: what the re-read materials replace is
    retired; what was retired before stays retired.
    """
    with Session(db.engine) as session:
        record = session.get(SubmissionRecord, submission_id)
        for table in (MaterialRecord, LinkRecord, DefectRecord):
            session.exec(delete(table).where(table.submission_id == submission_id))
        session.add(HistoryRecord(submission_id=submission_id, action="reprocess", from_status=record.status,
                                  to_status=status, note="重新审核", actor=actor))
        record.status, record.note = status, note
        for name, value in judged_fields(sub).items():
            setattr(record, name, value)
        session.add(record)
        session.add_all(finding_rows(submission_id, sub, defects))
        session.flush()
        if status in ACTIVE:
            db.supersede(session, record, sub)
        session.commit()


def note_action(db: Database, submission_id: int, action: str, note: str, actor: str | None = None) -> None:
    with Session(db.engine) as session:
        session.add(HistoryRecord(submission_id=submission_id, action=action, note=note, actor=actor))
        session.commit()


def history(db: Database, submission_id: int) -> list[HistoryRecord]:
    with Session(db.engine) as session:
        query = select(HistoryRecord).where(HistoryRecord.submission_id == submission_id).order_by(HistoryRecord.id)
        return list(session.exec(query))


def replaced_by(db: Database, submission_id: int) -> list[int]:
    """The earlier submissions this one replaced, wholly or material by material."""
    with Session(db.engine) as session:
        whole = session.exec(select(SubmissionRecord.id).where(SubmissionRecord.superseded_by == submission_id))
        parts = session.exec(select(MaterialRecord.submission_id).where(MaterialRecord.superseded_by == submission_id))
        return sorted(set(whole) | set(parts))


def reset_collection(db: Database) -> None:
    """Forget which material replaced which, before everything is re-judged in order."""
    with Session(db.engine) as session:
        session.exec(update(SubmissionRecord).values(superseded_by=None))
        session.exec(update(MaterialRecord).values(superseded_by=None, superseded_reason=None))
        session.commit()
