"""Compose the replies a submitter receives: a receipt or a defect notice.

Replies are rendered from Jinja2 templates so that coordinators can change
the wording without touching code: they copy `notifier/templates` somewhere,
edit it, and point `templates_dir` at the copy; any template missing there
falls back to the built-in one.

Every reply carries `Auto-Submitted: auto-replied` (RFC 3834) and
`X-Auto-Response-Suppress: All`, so that well-behaved out-of-office robots on
the other side do not answer back, and threads correctly under the original
message through In-Reply-To and References.

Template context (for people editing templates): identity, unit, subject,
received, declared_count, batch, deadline, materials (kind, kind_name, title,
filename), links (provider_name, url, code), errors, warnings (Defect
objects), example_subject, signature_lines, now.
"""

from __future__ import annotations

import functools

import re
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape

from notifier.recipients import reply_address, roster_unit
from parsers.facts import Defect, MailMessage, Material, Submission
from parsers.netdisk import provider_name
from rules import clock
from rules.campaign import Campaign
from rules.vocabulary import Status

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"

KIND_NAMES = {
    "case": "典型工作案例",
    "project": "培训项目",
    "course": "课程资源",
    "scan": "盖章扫描件",
    "summary": "汇总表",
    "stats": "统计表",
    "report": "报告",
    "video": "视频",
    "photo": "照片",
    "other": "其他",
}
TEMPLATE_BY_STATUS = {Status.ACCEPTED: "receipt", Status.DEFECTIVE: "defects"}
LATE_TEMPLATE = "late"  # past the final deadline: passed to the coordinator, never "please resend"

# "Re:", "RE：", "回复:", "答复：", "Re[2]:", "AW:", "SV:" — reply prefixes that pile up.
REPLY_PREFIX = re.compile(r"^\s*(re|aw|sv|回复|答复)(\[\d+\])?\s*[:：]\s*", re.IGNORECASE)
MSGID = re.compile(r"<[^<>\s]+>")
MAX_REFERENCES = 20


@dataclass
class ReplyIdentity:
    """Who the replies come from, as the submitters see it."""

    address: str = "zhzl@example.org.cn"
    name: str = "智慧助老材料征集工作组"
    organisation: str = "社区教育指导中心"
    signature: str = ""

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[-1]

    def signature_lines(self) -> list[str]:
        text = self.signature.strip() or f"{self.organisation}\n{self.name}"
        return text.splitlines()


@pass_context
def _cn_datetime_filter(context, value: datetime | None) -> str:
    """`{{ moment | cn_datetime }}`: in the zone the context names (`timezone`), else the default."""
    return clock.cn_datetime(value, context.get("timezone") or clock.zone())


def template_env(templates_dir: Path | None = None) -> Environment:
    """Jinja environment: the override folder first, the built-in templates second.

    One environment per folder is kept for the process, so templates are
    compiled once (Jinja re-reads a template only when its file changes).

    StrictUndefined makes a typo in an edited template fail loudly instead of
    silently sending a reply with a hole in it; a missing override folder
    fails too rather than quietly falling back to the built-in wording.
    """
    if templates_dir is not None and not Path(templates_dir).is_dir():
        raise FileNotFoundError(f"找不到回复模板文件夹：{templates_dir}（请检查配置中的 templates_dir）")
    return _cached_env(str(templates_dir) if templates_dir else None)


@functools.lru_cache(maxsize=8)
def _cached_env(templates_dir: str | None) -> Environment:
    loaders = [FileSystemLoader(str(templates_dir))] if templates_dir else []
    loaders.append(FileSystemLoader(str(PACKAGE_TEMPLATES)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cn_datetime"] = _cn_datetime_filter
    return env


def reply_subject(subject: str) -> str:
    """`Re: <original>` with any pile of Re:/回复:/答复: prefixes collapsed."""
    core = subject.strip()
    while True:
        stripped = REPLY_PREFIX.sub("", core, count=1)
        if stripped == core:
            break
        core = stripped.strip()
    return f"Re: {core or '您的来信'}"


def _angle(message_id: str) -> str:
    message_id = message_id.strip()
    if not message_id:
        return ""
    return message_id if message_id.startswith("<") else f"<{message_id.strip('<>')}>"


def references_chain(message: MailMessage) -> list[str]:
    """The original References plus its Message-ID, deduplicated.

    Long threads keep the first id (the thread root) and the most recent
    ones, as RFC 5322 allows, so the header stays a sane size.
    """
    ids = MSGID.findall(message.headers.get("references", ""))
    own = _angle(message.message_id)
    if own:
        ids.append(own)
    unique = list(dict.fromkeys(ids))
    if len(unique) > MAX_REFERENCES:
        unique = unique[:1] + unique[-(MAX_REFERENCES - 1):]
    return unique


def one_line(value: str) -> str:
    """A header value safe to write: no line breaks or control characters, whatever reached us."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


def new_message(identity: ReplyIdentity, to: list[str], subject: str, now: datetime | None,
                auto_submitted: str, tz: ZoneInfo | None = None) -> EmailMessage:
    """An EmailMessage with the headers every message we send carries.

    The Date header is written in the campaign's zone (`+0800`), as the
    submitters' own mail is.
    """
    tz = tz or clock.zone()
    msg = EmailMessage()
    msg["From"] = Address(display_name=identity.name, addr_spec=identity.address)
    msg["To"] = ", ".join(one_line(address) for address in to)
    msg["Subject"] = one_line(subject)
    msg["Date"] = format_datetime(clock.local(now or clock.now(), tz))
    msg["Message-ID"] = make_msgid(domain=identity.domain)
    msg["Auto-Submitted"] = auto_submitted
    msg["X-Auto-Response-Suppress"] = "All"
    return msg


def _deadline(sub: Submission, campaign: Campaign | None) -> datetime | None:
    if not campaign or not sub.batch:
        return None
    return next((b.deadline for b in campaign.batches if b.name == sub.batch), None)


def _unit(sub: Submission) -> str | None:
    """The resolved unit; without one, the subject's, else the first form's 申报单位."""
    if sub.unit or sub.subject.unit:
        return sub.unit or sub.subject.unit
    return next((m.form.unit for m in sub.forms() if m.form and m.form.unit), None)


def _example_subject(unit: str | None, sub: Submission, defects: list[Defect]) -> str | None:
    """The subject to resend with: the declared count, or the forms received when it was wrong."""
    miscounted = any(d.code == "COUNT_MISMATCH" for d in defects)
    count = (len(sub.forms()) if miscounted else sub.subject.declared_count) or len(sub.forms())
    if not unit or not count:
        return None
    return f"{unit}+智慧助老材料+{count}"


def reply_context(sub: Submission, defects: list[Defect], identity: ReplyIdentity,
                  now: datetime | None, campaign: Campaign | None) -> dict:
    """Everything the receipt and defect templates may use."""
    tz = campaign.zone if campaign else clock.zone()
    now = clock.localize(now or clock.now(), tz)
    deadline = _deadline(sub, campaign)
    unit = _unit(sub)
    return {
        "identity": identity,
        "timezone": tz,
        "unit": unit,
        "subject": sub.message.subject.strip() or "（无主题）",
        "received": sub.sent_at or (clock.localize(sub.message.date, tz) if sub.message.date else now),
        "declared_count": sub.subject.declared_count,
        "form_count": len(sub.forms()),
        "batch": sub.batch,
        "deadline": deadline if deadline and deadline > now else None,
        "final_deadline": campaign.final_deadline if campaign else None,
        "period_deadline": deadline,  # the batch's own, shown to a late unit when it is not the final one
        "late": sub.late,
        "materials": [
            {"kind": m.kind, "kind_name": KIND_NAMES.get(m.kind, "其他"), "title": material_title(m, sub),
             "filename": m.filename}
            for m in sub.materials
        ],
        "links": [
            {"provider_name": provider_name(link.provider), "url": link.url,
             "code": link.code}
            for link in sub.links
        ],
        "errors": [d for d in defects if d.severity == "error"],
        "warnings": [d for d in defects if d.severity != "error"],
        "example_subject": _example_subject(unit, sub, defects) if not campaign or campaign.subject == "count" else None,
        "subject_pattern": campaign.subject_pattern if campaign else "单位名称+智慧助老材料+数量",
        "postal_address": campaign.postal_address if campaign else "",
        "signature_lines": identity.signature_lines(),
        "now": now,
    }


def material_title(material: Material, sub: Submission) -> str | None:
    """The title a person should read: the Word form's, also for its paired scan.

    OCR misreads titles ("智能技术塔训"); a title read from a scan is used only
    for a scan with no Word twin, and says so.
    """
    if material.form:
        return material.form.title
    if material.role:
        return material.role
    twin = next((m for m in sub.forms() if m.filename in material.paired_with and m.form.title), None)
    if twin is not None:
        return twin.form.title
    return f"{material.title}（据扫描件识别）" if material.title else None


def reply_template(sub: Submission, status: str) -> str:
    """Which reply a submission gets: receipt, defect notice, or the late-arrival note."""
    return LATE_TEMPLATE if sub.late else TEMPLATE_BY_STATUS[status]


def render_pair(env: Environment, name: str, context: dict) -> tuple[str, str]:
    """Render `<name>.txt.j2` and `<name>.html.j2` with the same context."""
    text = env.get_template(f"{name}.txt.j2").render(context)
    html = env.get_template(f"{name}.html.j2").render(context)
    return text, html


def compose_reply(sub: Submission, status: str, defects: list[Defect], identity: ReplyIdentity,
                  templates_dir: Path | None = None, now: datetime | None = None,
                  campaign: Campaign | None = None) -> EmailMessage:
    """The receipt ("accepted") or defect notice ("defective") for one submission.

    `campaign` is optional: it reminds of the batch deadline, and its roster
    says whether a Reply-To is the unit's own (`reply_address`).
    Raises ValueError for an unknown status or when there is nobody to reply to.
    """
    if status not in TEMPLATE_BY_STATUS:
        raise ValueError(f"no reply template for status {status!r}")
    to = reply_address(sub.message, roster_unit(sub, campaign))
    if to is None:
        raise ValueError(f"message {sub.message.message_id} has no usable reply address")
    context = reply_context(sub, defects, identity, now, campaign)
    text, html = render_pair(template_env(templates_dir), reply_template(sub, status), context)
    name = sub.message.sender_name if to == sub.message.sender else ""
    msg = new_message(identity, [str(Address(display_name=name, addr_spec=to))],
                      reply_subject(sub.message.subject), now, "auto-replied", context["timezone"])
    original = _angle(sub.message.message_id)
    if original:
        msg["In-Reply-To"] = original
    references = references_chain(sub.message)
    if references:
        msg["References"] = " ".join(references)
    msg.set_content(text, cte="base64")  # Chinese text: skip trying quoted-printable first
    msg.add_alternative(html, subtype="html", cte="base64")
    return msg
