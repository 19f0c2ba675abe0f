"""Assembling the coordinators' daily digest from what the database holds.

The database knows the day's records; `notifier.digest` knows how to say
them. This module is the glue: records in, one digest message out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from email.message import EmailMessage

from ingest.config import Settings
from notifier.digest import DeadLink, DigestRow, compose_digest, summary_rows, summary_workbook
from parsers.facts import ApplicationForm, Defect, MailMessage, Material, SubjectInfo, Submission
from rules import clock
from storage.database import Database


def build_digest(db: Database, settings: Settings, day: date) -> EmailMessage:
    """The digest of `day`, a calendar day in the campaign's zone, whatever the machine's zone."""
    tz = settings.campaign.zone
    start, end = clock.day_window(day, tz)
    rows = [_digest_row(db, record) for record in db.submissions(since=start, until=end)]
    workbook_rows = []
    for record in db.submissions():
        if record.status in ("accepted", "defective") and record.superseded_by is None:
            sub, defects = _submission(db, record)
            workbook_rows += summary_rows(sub, record.status, defects)
    return compose_digest(day, rows, _dead_links(db), settings.identity, settings.coordinators,
                          totals_by_batch=_totals(db), attachment_xlsx=summary_workbook(workbook_rows, tz),
                          templates_dir=settings.templates_dir, tz=tz)


def _digest_row(db: Database, record) -> DigestRow:
    kinds = Counter(m.kind for m in db.materials(record.id))
    return DigestRow(unit=record.unit, status=record.status, received_at=record.received_at,
                     subject=record.subject, sender=record.sender, batch=record.batch,
                     materials=dict(kinds), defect_codes=[d.code for d in db.defects(record.id)],
                     superseded=record.superseded_by is not None, note=record.note)


def _submission(db: Database, record) -> tuple[Submission, list[Defect]]:
    materials = [
        Material(kind=m.kind, filename=m.filename, sha256=m.sha256, size=m.size,
                 form=ApplicationForm(kind=m.kind, title=m.title, unit=m.unit, fields=m.fields) if m.fields else None)
        for m in db.materials(record.id)
    ]
    sub = Submission(message=MailMessage(message_id=record.message_id, subject=record.subject, sender=record.sender),
                     subject=SubjectInfo(raw=record.subject, unit=record.unit, keyword_found=True,
                                         declared_count=record.declared_count),
                     materials=materials, batch=record.batch, sent_at=record.sent_at or record.received_at)
    defects = [Defect(d.code, d.severity, d.message, d.where) for d in db.defects(record.id)]
    return sub, defects


def _dead_links(db: Database) -> list[DeadLink]:
    """Links of live accepted submissions whose last check found them dead or with a wrong code."""
    dead = []
    for link in db.links():
        if link.check not in ("dead", "wrong_code"):
            continue
        record = db.submission(link.submission_id)
        if record.status == "accepted" and record.superseded_by is None:
            dead.append(DeadLink(unit=record.unit, url=link.url, code=link.check,
                                 checked_at=link.checked_at, detail=link.check_detail))
    return dead


def _totals(db: Database) -> dict[str, dict[str, int]]:
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for record in db.submissions():
        if record.status in ("accepted", "defective") and record.superseded_by is None:
            totals[record.batch or "未分批"][record.status] += 1
    return {batch: dict(counts) for batch, counts in totals.items()}
