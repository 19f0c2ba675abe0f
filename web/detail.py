"""The 报送详情 page's model: one mail's materials (each Word form beside its scan pages), links, defects,
the replies as they were sent, and the history."""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from email import policy

from parsers.email import parse_message
from parsers.facts import ScanPage
from parsers.links import html_text
from storage import changes, outgoing
from storage.database import Database
from storage.files import FileStore
from storage.mapping import StoredMaterial, StoredReply, StoredSubmission

BODY_SHOWN = 20000


@dataclass
class FormView:
    """A Word form (or a scan with no Word twin) and the scan pages that go with it."""

    material: StoredMaterial | None
    scans: list[tuple[StoredMaterial, ScanPage]] = field(default_factory=list)


@dataclass
class ReplyView:
    reply: StoredReply
    subject: str
    text: str


@dataclass
class Detail:
    stored: StoredSubmission
    body: str  # the mail's text; an HTML-only body as its visible text
    html: str  # the HTML body's source, shown as text, never as markup
    attachments: list[str]  # as the mail carried them, before unpacking
    forms: list[FormView]
    others: list[StoredMaterial]
    replies: list[ReplyView]
    history: list
    replaced: list[int]


def detail(db: Database, files: FileStore, stored: StoredSubmission) -> Detail:
    message = parse_message(files.get(stored.raw_sha256)) if stored.raw_sha256 in files else None
    body = (message.text.strip() or html_text(message.html).strip()) if message else ""
    forms, others = _forms(stored.materials)
    html = message.html if message else ""
    return Detail(stored, body[:BODY_SHOWN], html[:BODY_SHOWN], [a.filename for a in message.attachments] if message else [],
                  forms, others, [_reply(db, r) for r in stored.replies], changes.history(db, stored.id),
                  changes.replaced_by(db, stored.id))


def _forms(materials: list[StoredMaterial]) -> tuple[list[FormView], list[StoredMaterial]]:
    """Pair each form with its twin scans' pages; scans without a twin stand alone; the rest are others."""
    forms = [FormView(m) for m in materials if m.material.form is not None]
    paired: set[int] = set()
    for view in forms:
        for scan in materials:
            if scan.material.scan and scan.material.filename in view.material.material.paired_with:
                view.scans += [(scan, page) for page in scan.material.scan.pages]
                paired.add(scan.id)
    for scan in materials:
        if scan.material.scan and scan.id not in paired:
            forms.append(FormView(None, [(scan, page) for page in scan.material.scan.pages]))
            paired.add(scan.id)
    shown = {v.material.id for v in forms if v.material} | paired
    return forms, [m for m in materials if m.id not in shown]


def _reply(db: Database, reply: StoredReply) -> ReplyView:
    """A reply as it went out: its subject and plain-text body, read back from the composed mail."""
    raw = outgoing.raw(db, reply.key)
    if not raw:
        return ReplyView(reply, "", "")
    message = email.message_from_bytes(raw, policy=policy.default)
    part = message.get_body(("plain",))
    return ReplyView(reply, str(message.get("Subject", "")), part.get_content() if part else "")
