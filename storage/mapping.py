"""Facts to table rows and back, written once.

The pipeline files `parsers.facts` objects; everything that reads the
collection (the digest, the coordinator commands, the export) gets the same
objects back, with the record's state beside them, instead of rebuilding
them from rows on its own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from parsers.facts import (ApplicationForm, Defect, MailMessage, Material, PhotoInfo, ScanPage, ScanReading,
                           SealFinding, ShareLink, StatsRow, StatsTable, SubjectInfo, Submission, VideoInfo)
from storage.models import Outgoing
from rules.clock import now
from rules.unit_names import normalise_unit
from storage.models import DefectRecord, LinkRecord, MaterialRecord, OutgoingRecord, SubmissionRecord

PAGE_TEXT_KEPT = 2000


@dataclass
class StoredMaterial:
    """One material as filed, with its place in the unit's collection."""

    id: int
    material: Material
    superseded_by: int | None = None  # the submission that replaced it
    superseded_reason: str | None = None


@dataclass
class StoredReply:
    kind: str  # receipt / defects / late / note
    to: str
    message_id: str
    created_at: datetime
    sent_at: datetime | None
    outbox_path: str | None
    status: str = "pending"  # pending / sent / written / failed
    key: str = ""
    attempts: int = 0
    last_error: str | None = None


@dataclass
class StoredSubmission:
    """A filed message: the facts it was judged on, its verdict, and what became of it."""

    id: int
    status: str
    submission: Submission
    defects: list[Defect]
    received_at: datetime
    source: str
    raw_sha256: str
    note: str | None = None
    superseded_by: int | None = None
    materials: list[StoredMaterial] = field(default_factory=list)
    replies: list[StoredReply] = field(default_factory=list)

    @property
    def unit(self) -> str | None:
        return self.submission.unit

    def live_materials(self) -> list[StoredMaterial]:
        """The materials still standing in the collection."""
        return [m for m in self.materials if m.superseded_by is None]


def unit_key(unit: str | None, sender: str) -> str:
    """Who a submission is from, for supersession: the unit's name, else the sender.

    Two senders never share a key unless both resolve to the same unit.
    """
    return normalise_unit(unit) if unit else f"<{sender.lower()}>"


def judged_fields(sub: Submission) -> dict:
    """The submission columns the judging decides (filed once, replaced by a re-run)."""
    unit = sub.unit or sub.subject.unit
    return dict(sent_at=sub.sent_at, unit=unit, unit_key=unit_key(unit, sub.message.sender),
                unit_evidence=list(sub.unit_evidence), subject_unit=sub.subject.unit,
                keyword_found=sub.subject.keyword_found, declared_count=sub.subject.declared_count,
                batch=sub.batch, late_batch=sub.late_batch, late=sub.late, profile=sub.profile)


def finding_rows(submission_id: int, sub: Submission, defects: list[Defect]) -> list:
    """The materials, links and defects of a judged submission, as rows."""
    return ([material_row(submission_id, m) for m in sub.materials]
            + [link_row(submission_id, link) for link in sub.links]
            + [defect_row(submission_id, d) for d in defects])


def material_row(submission_id: int, m: Material) -> MaterialRecord:
    pages = [asdict(p) | {"text": p.text[:PAGE_TEXT_KEPT]} for p in (m.scan.pages if m.scan else [])]
    return MaterialRecord(
        submission_id=submission_id, kind=m.kind, filename=m.filename, sha256=m.sha256, size=m.size,
        title=m.title, unit=m.form.unit if m.form else None, fields=m.fields, pages=pages,
        unreadable=m.unreadable, material_key=m.key, paired_with=list(m.paired_with),
        form_kind=m.form.kind if m.form else None, details=material_details(m),
    )


def material_details(m: Material) -> dict:
    """What a profile read from a material, beyond the forms: kept for the digest and the export."""
    details = {"role": m.role, "chars": m.chars, "listing": m.listing, "signed": m.signed,
               "stats": asdict(m.stats) if m.stats else None,
               "photo": asdict(m.photo) if m.photo else None, "video": asdict(m.video) if m.video else None}
    return {k: v for k, v in details.items() if v not in (None, False)}


def _stats_from(data: dict | None) -> StatsTable | None:
    if not data:
        return None
    rows = [StatsRow(**row) for row in data.get("rows", [])]
    return StatsTable(**{**data, "rows": rows})


def link_row(submission_id: int, link: ShareLink) -> LinkRecord:
    return LinkRecord(
        submission_id=submission_id, provider=link.provider, url=link.url, share_id=link.share_id,
        code=link.code, found_in=link.found_in, check=link.check, check_detail=link.check_detail,
        checked_at=(link.checked_at or now()) if link.check else None,
    )


def outgoing_row(item: Outgoing, submission_id: int | None = None) -> OutgoingRecord:
    return OutgoingRecord(key=item.key, submission_id=submission_id, kind=item.kind, to=", ".join(item.to),
                          message_id=item.message_id, raw=item.raw)


def defect_row(submission_id: int, d: Defect) -> DefectRecord:
    return DefectRecord(submission_id=submission_id, **asdict(d))


def material_from_row(row: MaterialRecord) -> Material:
    form = None
    if row.form_kind or row.fields:
        form = ApplicationForm(kind=row.form_kind or row.kind, title=row.title, unit=row.unit, fields=dict(row.fields))
    scan = ScanReading(pages=[_page(p) for p in row.pages]) if row.pages else None
    details = row.details or {}
    return Material(kind=row.kind, filename=row.filename, sha256=row.sha256, size=row.size, form=form, scan=scan,
                    unreadable=row.unreadable, paired_with=list(row.paired_with or []), key=row.material_key,
                    stats=_stats_from(details.get("stats")), listing=details.get("listing"), role=details.get("role"),
                    chars=details.get("chars"), signed=bool(details.get("signed")),
                    photo=PhotoInfo(**details["photo"]) if details.get("photo") else None,
                    video=VideoInfo(**details["video"]) if details.get("video") else None)


def _page(data: dict) -> ScanPage:
    seal = data.get("seal") or {}
    box = seal.get("box")
    return ScanPage(index=data.get("index", 0), form_kind=data.get("form_kind"), name=data.get("name"),
                    unit=data.get("unit"), ocr_seconds=data.get("ocr_seconds", 0.0), text=data.get("text", ""),
                    exported=bool(data.get("exported")),
                    seal=SealFinding(found=bool(seal.get("found")), confidence=seal.get("confidence", 0.0),
                                     box=tuple(box) if box else None, where=seal.get("where"),
                                     method=seal.get("method"), colour=seal.get("colour")))


def link_from_row(row: LinkRecord) -> ShareLink:
    return ShareLink(provider=row.provider, url=row.url, code=row.code, share_id=row.share_id,
                     found_in=row.found_in, check=row.check, check_detail=row.check_detail,
                     checked_at=row.checked_at)


def stored_submission(record: SubmissionRecord, materials: list[MaterialRecord], links: list[LinkRecord],
                      defects: list[DefectRecord], replies: list[OutgoingRecord]) -> StoredSubmission:
    message = MailMessage(message_id=record.message_id, subject=record.subject, sender=record.sender,
                          reply_to=record.reply_to, date=record.sent_at)
    sub = Submission(
        message=message,
        subject=SubjectInfo(raw=record.subject, unit=record.subject_unit, keyword_found=record.keyword_found,
                            declared_count=record.declared_count),
        materials=[material_from_row(m) for m in materials], links=[link_from_row(link) for link in links],
        batch=record.batch, late_batch=record.late_batch, late=record.late, sent_at=record.sent_at,
        unit=record.unit, unit_evidence=list(record.unit_evidence or []), profile=record.profile,
    )
    return StoredSubmission(
        id=record.id, status=record.status, submission=sub,
        defects=[Defect(d.code, d.severity, d.message, d.where) for d in defects],
        received_at=record.received_at, source=record.source, raw_sha256=record.raw_sha256, note=record.note,
        superseded_by=record.superseded_by,
        materials=[StoredMaterial(row.id, m, row.superseded_by, row.superseded_reason)
                   for row, m in zip(materials, sub.materials)],
        replies=[StoredReply(r.kind, r.to, r.message_id, r.created_at, r.sent_at, r.outbox_path, r.status, r.key,
                             r.attempts, r.last_error)
                 for r in replies],
    )
