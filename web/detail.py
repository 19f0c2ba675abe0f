"""The 报送详情 page's model: one mail's materials (each Word form beside its scan pages), links, defects,
the replies as they were sent, and the history.

Everything but the mail's own text comes from the database rows filed when
the mail was read (materials, pages, seals, links, defects); the raw mail is
never parsed again for a page view. The text shown is read from the first
BODY_READ bytes of the stored raw mail, its text parts only: no attachment
is decoded, no archive opened, whatever the mail's size.
"""

from __future__ import annotations

import email
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

from parsers.facts import ScanPage
from parsers.html_text import html_text
from parsers.text import decode_bytes
from storage import changes, outgoing
from storage.database import Database
from storage.files import FileStore
from storage.mapping import StoredMaterial, StoredReply, StoredSubmission

BODY_SHOWN = 20000
BODY_READ = 1024 * 1024  # the text parts come first in practically every mail
BODY_PARTS = 200
RAW_GONE = "（原始邮件无法读取，正文不能显示；以下材料、问题与回复来自登记时的记录。）"


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
    forms: list[FormView]
    others: list[StoredMaterial]
    replies: list[ReplyView]
    history: list
    replaced: list[int]


def detail(db: Database, files: FileStore, stored: StoredSubmission) -> Detail:
    read = mail_text(files.path(stored.raw_sha256))
    text, html = read or (RAW_GONE, "")
    body = text.strip() or html_text(html[:BODY_SHOWN * 5]).strip()
    forms, others = _forms(stored.materials)
    return Detail(stored, body[:BODY_SHOWN], html[:BODY_SHOWN], forms, others, [_reply(db, r) for r in stored.replies],
                  changes.history(db, stored.id), changes.replaced_by(db, stored.id))


def mail_text(raw_path: Path) -> tuple[str, str] | None:
    """(plain text, HTML source) of the mail's inline text parts within its first BODY_READ bytes; None when
    the raw mail is gone or unreadable. Attachments are skipped, never decoded."""
    try:
        with open(raw_path, "rb") as handle:
            head = handle.read(BODY_READ)
        parts = email.message_from_bytes(head, policy=policy.compat32).walk()
        texts: dict[str, list[str]] = {"text/plain": [], "text/html": []}
        for _, part in zip(range(BODY_PARTS), parts):
            kind = part.get_content_type()
            if kind in texts and part.get_content_disposition() != "attachment" and not part.get_filename():
                texts[kind].append(decode_bytes(part.get_payload(decode=True) or b"", part.get_content_charset()))
    except Exception:  # noqa: BLE001 - only shown: a mail the email package chokes on shows its facts without text
        return None
    return "\n".join(t for t in texts["text/plain"] if t.strip()), "\n".join(texts["text/html"])


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
