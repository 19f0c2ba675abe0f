"""The JSON Lines row `intake ingest --json` prints for each message (a stable interface)."""

from __future__ import annotations

from dataclasses import asdict

from ingest.pipeline import Outcome
from parsers.facts import Material, ShareLink


def outcome_row(outcome: Outcome) -> dict:
    sub = outcome.submission
    row = {
        "message_id": outcome.message_id,
        "source": outcome.source,
        "status": outcome.status,
        "unit": sub.subject.unit if sub else None,
        "declared_count": sub.subject.declared_count if sub else None,
        "batch": sub.batch if sub else None,
        "materials": [material_row(m) for m in sub.materials] if sub else [],
        "links": [link_row(link) for link in sub.links] if sub else [],
        "defects": [asdict(d) for d in outcome.defects],
    }
    if outcome.note:
        row["note"] = outcome.note
    return row


def material_row(m: Material) -> dict:
    row = {"kind": m.kind, "filename": m.filename, "title": m.title, "fields": m.fields}
    if m.scan is not None:
        row["pages"] = [
            {"form_kind": p.form_kind, "name": p.name, "unit": p.unit,
             "seal": {"found": p.seal.found, "confidence": round(p.seal.confidence, 3),
                      "box": list(p.seal.box) if p.seal.box else None, "where": p.seal.where},
             "ocr_seconds": round(p.ocr_seconds, 3)}
            for p in m.scan.pages
        ]
    return row


def link_row(link: ShareLink) -> dict:
    return {"provider": link.provider, "url": link.url, "code": link.code,
            "found_in": link.found_in, "check": link.check}
