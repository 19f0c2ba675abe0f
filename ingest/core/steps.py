"""The pipeline's steps as plain functions of plain data: read, classify, find links, decide.

`ingest/core/pipeline.py` strings them together and does the I/O; here
nothing touches the file store, the database or the network, so each step
can be called (and tested) on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ingest.core.classify import read_material
from ingest.core.materials import AttachmentReader, enrich
from parsers import limits
from parsers.facts import Defect, MailMessage, Material, ShareLink, Submission
from parsers.html_text import html_text
from parsers.links import links_in_mail
from parsers.subject import parse_subject
from rules import clock
from rules.campaign import Campaign
from rules.timing import assign_batch, sending_time
from rules.vocabulary import Status


@dataclass
class Outcome:
    """What happened to one message: the row `intake ingest --json` prints."""

    source: str
    message_id: str
    status: str  # accepted | defective | review | ignored | duplicate | error
    submission: Submission | None = None
    defects: list[Defect] = field(default_factory=list)
    submission_id: int | None = None
    reply_path: Path | None = None
    note: str | None = None

    @property
    def filed(self) -> bool:
        """Whether the database holds the message now: only an `error` that could not be recorded is not."""
        return self.status != Status.ERROR or self.submission_id is not None


def read_materials(message: MailMessage, cache_dir: Path | None = None) -> list[Material]:
    """Every attachment read, within the message's time budget (`[limits]`)."""
    materials = []
    for att in message.attachments:
        limits.check()
        materials.append(read_material(att, cache_dir))
    return materials


def classify(message: MailMessage, campaign: Campaign, cache_dir: Path | None = None,
             received: datetime | None = None, materials: list[Material] | None = None,
             reader: AttachmentReader | None = None) -> Submission:
    """Turn a parsed message into the facts the rules judge, under one campaign profile.

    `received` is the server's receipt time when the source knows it (IMAP
    INTERNALDATE); otherwise the message's topmost Received stamp stands in.
    `materials` (and their `reader`) are the attachments already read, when routing read them.
    """
    materials = read_materials(message, cache_dir) if materials is None else materials
    enrich(materials, reader or AttachmentReader(message.attachments), campaign)
    timing = sending_time(message.date, received or message.received, campaign.zone)
    sent = timing.moment or clock.now()
    batch = assign_batch(sent, campaign, f"{message.subject}\n{message.text}", materials)
    return Submission(
        message=message,
        subject=parse_subject(message.subject, campaign.keyword),
        materials=materials,
        links=collect_links(message, materials),
        batch=batch.batch,
        late_batch=batch.late_batch,
        late=batch.late,
        sent_at=sent,
        timing_note=coordinator_note(timing.note, batch.note),
        profile=campaign.name,
    )


def collect_links(message: MailMessage, materials: list[Material]) -> list[ShareLink]:
    """Share links from the bodies and from every material's text and hyperlinks, by one finder and pairing."""
    bodies = [(message.text, [], "正文"), (html_text(message.html), [], "正文(HTML)")]
    return links_in_mail(bodies, [(m.text, m.hyperlinks, m.filename) for m in materials])


def coordinator_note(*notes: str | None) -> str | None:
    """The notes a coordinator reads on a submission (clock, stated period, ignored Reply-To), one line."""
    return "；".join(n for n in notes if n) or None


def not_a_submission(sub: Submission, own_address: str) -> str | None:
    """Why a person's mail is not a submission to judge (None = judge it).

    Mail with neither the campaign keyword nor any attachment is not ours;
    nor is a bare answer to one of our own replies ("收到，谢谢"), which would
    otherwise get a NO_ATTACHMENTS notice and start a loop of mails.
    """
    if any(a.origin != "body" or sub.subject.keyword_found for a in sub.message.attachments):
        return None  # pictures pasted into the body count only under the keyword: spam is full of them
    if not sub.subject.keyword_found:
        return "无征集关键词且无附件"
    domain = own_address.rpartition("@")[2].lower()
    thread = f"{sub.message.headers.get('in-reply-to', '')} {sub.message.headers.get('references', '')}".lower()
    if domain and f"@{domain}>" in thread:
        return "对本系统回复邮件的回信（无附件），请协调人查看"
    return None


def verdict(defects: list[Defect]) -> Status:
    return Status.DEFECTIVE if any(d.severity == "error" for d in defects) else Status.ACCEPTED
