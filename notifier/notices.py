"""Mails that are not answers to a submission: a note to the coordinators, a reminder to a unit."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from notifier.reply import ReplyIdentity, new_message, render_pair, template_env
from parsers.facts import MailMessage
from rules import clock


def compose_coordinator_note(message: MailMessage, problems: list[str], identity: ReplyIdentity,
                             to: list[str], templates_dir: Path | None = None,
                             now: datetime | None = None, tz: ZoneInfo | None = None) -> EmailMessage:
    """A short note asking coordinators to handle a message the service could not."""
    tz = tz or clock.zone()
    subject = message.subject.strip() or "（无主题）"
    context = {
        "message": message,
        "subject": subject,
        "problems": problems,
        "attachments": [a.filename for a in message.attachments],
        "signature_lines": identity.signature_lines(),
        "cn_received": clock.cn_datetime(message.received or message.date, tz),
    }
    text = template_env(templates_dir).get_template("coordinator_note.txt.j2").render(context)
    msg = new_message(identity, to, f"[智慧助老] 需人工处理：{subject}", now, "auto-generated", tz)
    msg.set_content(text, cte="base64")  # Chinese text: skip trying quoted-printable first
    return msg


def compose_reminder(unit: str, to: list[str], batch: str, deadline: datetime, days: int,
                     identity: ReplyIdentity, tz: ZoneInfo, templates_dir: Path | None = None,
                     now: datetime | None = None) -> EmailMessage:
    """A polite reminder to a roster unit that has sent nothing yet, before a batch deadline."""
    context = {"unit": unit, "batch": batch, "deadline": deadline, "days": days, "timezone": tz,
               "example_subject": f"{unit}+智慧助老材料+2个", "identity": identity,
               "signature_lines": identity.signature_lines()}
    text, html = render_pair(template_env(templates_dir), "reminder", context)
    msg = new_message(identity, to, f"提醒：智慧助老材料{batch}将于{clock.cn_date(clock.local_day(deadline, tz))}截止",
                      now, "auto-generated", tz)
    msg.set_content(text, cte="base64")
    msg.add_alternative(html, subtype="html", cte="base64")
    return msg
