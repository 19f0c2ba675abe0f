"""The JSON Lines row `intake ingest --json` prints for each message (a stable interface)."""

from __future__ import annotations

from dataclasses import asdict

from ingest.core.steps import Outcome
from parsers.facts import Defect, Material, ShareLink, Submission
from storage.mapping import StoredSubmission


def outcome_row(outcome: Outcome) -> dict:
    return submission_row(outcome.submission, outcome.status, outcome.defects, outcome.source,
                          outcome.message_id, outcome.note)


def submission_row(sub: Submission | None, status: str, defects: list[Defect], source: str, message_id: str,
                   note: str | None) -> dict:
    row = {
        "message_id": message_id,
        "source": source,
        "status": status,
        "profile": sub.profile if sub else None,
        "unit": (sub.unit or sub.subject.unit) if sub else None,
        "declared_count": sub.subject.declared_count if sub else None,
        "batch": sub.batch if sub else None,
        "materials": [material_row(m) for m in sub.materials] if sub else [],
        "links": [link_row(link) for link in sub.links] if sub else [],
        "defects": [asdict(d) for d in defects],
    }
    if note:
        row["note"] = note
    return row


def stored_row(stored: StoredSubmission) -> dict:
    """The `intake ingest --json` row of a filed submission, with its id, receipt time, fate and replies."""
    row = submission_row(stored.submission, stored.status, stored.defects, stored.source,
                         stored.submission.message.message_id, stored.note)
    row["id"] = stored.id
    row["received_at"] = stored.received_at.isoformat()
    row["superseded_by"] = stored.superseded_by
    row["replies"] = [{"kind": r.kind, "to": r.to, "message_id": r.message_id,
                       "created_at": r.created_at.isoformat(), "sent_at": r.sent_at.isoformat() if r.sent_at else None}
                      for r in stored.replies]
    return row


def material_row(m: Material) -> dict:
    row = {"kind": m.kind, "filename": m.filename, "title": m.title, "fields": m.fields}
    if m.scan is not None:
        row["pages"] = [
            {"form_kind": p.form_kind, "name": p.name, "unit": p.unit,
             "seal": {"found": p.seal.found, "confidence": round(p.seal.confidence, 3),
                      "box": list(p.seal.box) if p.seal.box else None, "where": p.seal.where,
                      "method": p.seal.method, "colour": p.seal.colour},
             "ocr_seconds": round(p.ocr_seconds, 3)}
            for p in m.scan.pages
        ]
    if m.kind == "report":
        row |= {"role": m.role, "chars": m.chars}
    if m.stats is not None:
        row["stats"] = {"sheet": m.stats.sheet, "period": m.stats.period, "unit": m.stats.unit,
                        "columns": m.stats.columns,
                        "rows": [{"row": r.row, "label": r.label, "values": r.values, "total": r.is_total}
                                 for r in m.stats.rows]}
    if m.video is not None:
        row["video"] = asdict(m.video)
    return row


def link_row(link: ShareLink) -> dict:
    return {"provider": link.provider, "url": link.url, "code": link.code,
            "found_in": link.found_in, "check": link.check}
