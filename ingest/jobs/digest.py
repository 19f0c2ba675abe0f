"""Assembling the coordinators' daily digest from the collection.

The database gives back the filed submissions as facts (`storage.mapping`);
`notifier.digest` knows how to say them. This module is the glue: the day's
mail, the standing collection per batch, dead links, one digest message out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from email.message import EmailMessage

from ingest.config.settings import Settings
from ingest.coordinator.statistics import stats_summaries
from notifier.digest import BatchTotal, DeadLink, DigestRow, NextDeadline, UnitLine, compose_digest
from rules.vocabulary import Status, defect_title
from notifier.workbook import export_workbook
from rules import clock
from storage import mailboxes
from storage.collection import MaterialStanding, UnitStanding, load_collection
from storage.database import Database
from storage.mapping import StoredSubmission


def build_digest(db: Database, settings: Settings, day: date) -> EmailMessage:
    """The digest of `day`, a calendar day in the campaign's zone, whatever the machine's zone."""
    tz = settings.campaign.zone
    start, end = clock.day_window(day, tz)
    rows = [digest_row(s) for s in db.load_all(since=start, until=end)]
    standing = load_collection(db)
    materials = standing.materials()
    units = standing.units(settings.campaign.roster)
    stats = stats_summaries(standing.submissions, settings.profiles())
    workbook = export_workbook(materials, units, tz, stats)
    return compose_digest(day, rows, dead_links(standing.submissions), settings.identity, settings.coordinators,
                          totals_by_batch=batch_totals(materials), attachment_xlsx=workbook,
                          templates_dir=settings.templates_dir, tz=tz, mailbox_problems=mailbox_problems(db, tz),
                          units=[unit_line(u) for u in units], next_deadline=next_deadline(settings, day),
                          stats=stats, held=[digest_row(s) for s in db.load_all(statuses=(Status.REVIEW,))])


def unit_line(unit: UnitStanding) -> UnitLine:
    """A unit's standing, in the words the digest prints (each outstanding defect once)."""
    statuses = Counter(m.status for m in unit.materials)
    problems = dict.fromkeys(f"{defect_title(d.code)}{f'（{d.where}）' if d.where else ''}" for d in unit.outstanding)
    return UnitLine(unit.name, unit.in_roster, dict(statuses), list(problems), unit.last_mail)


def next_deadline(settings: Settings, day: date) -> NextDeadline | None:
    """The first batch deadline of any active profile on or after `day` (a day of the campaign's zone)."""
    day_began = clock.end_of_day(day - timedelta(days=1), settings.campaign.zone)
    coming = [b for b in (c.next_batch(day_began) for c in settings.profiles()) if b is not None]
    first = min(coming, key=lambda b: b.deadline, default=None)
    return NextDeadline(first.name, first.deadline) if first else None


def mailbox_problems(db: Database, tz) -> list[str]:
    """Mailboxes whose last attempt failed (and has not succeeded since), in words."""
    return [f"{s.mailbox}：{s.last_error}（{clock.cn_datetime(s.last_error_at, tz)}）"
            for s in mailboxes.all_states(db)
            if s.last_error and (s.last_ok_at is None or s.last_error_at >= s.last_ok_at)]


def digest_row(stored: StoredSubmission) -> DigestRow:
    sub = stored.submission
    return DigestRow(unit=sub.unit, status=stored.status, received_at=stored.received_at,
                     subject=sub.message.subject, sender=sub.message.sender, batch=sub.batch,
                     materials=dict(Counter(m.kind for m in sub.materials)),
                     defect_codes=[d.code for d in stored.defects],
                     superseded=stored.superseded_by is not None, note=stored.note, late=sub.late)


def batch_totals(materials: list[MaterialStanding]) -> dict[str, BatchTotal]:
    """Per batch: units, and the standing materials by kind and by status (a Word form and its scan count once)."""
    totals: dict[str, BatchTotal] = defaultdict(BatchTotal)
    units: dict[str, set[str]] = defaultdict(set)
    for m in materials:
        batch = m.batch or "未分批"
        total = totals[batch]
        total.kinds[m.kind] = total.kinds.get(m.kind, 0) + 1
        total.statuses[m.status] = total.statuses.get(m.status, 0) + 1
        units[batch].add(m.unit or m.sender)
    for batch, total in totals.items():
        total.units = len(units[batch])
    return dict(totals)


def dead_links(collection: list[StoredSubmission]) -> list[DeadLink]:
    """Links of standing accepted submissions whose last check found them dead or with a wrong code."""
    return [DeadLink(unit=s.unit, url=link.url, code=link.check, checked_at=link.checked_at, detail=link.check_detail)
            for s in collection if s.status == Status.ACCEPTED and s.live_materials()
            for link in s.submission.links if link.check in ("dead", "wrong_code")]
