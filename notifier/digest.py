"""The coordinators' daily digest.

Coordinators used to keep a hand-made summary spreadsheet and read every mail
to know where things stood. The digest gives them one mail a day: how many
submissions came in and how they were judged, unit by unit, which problems
were most common (to improve the notice), and which share links died after
acceptance; the attached workbook (`notifier.workbook`) is the 信息汇总表.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from notifier.reply import KIND_NAMES, ReplyIdentity, new_message, render_pair, template_env
from notifier.words import LINK_CHECK_TITLES
from rules import clock
from rules.vocabulary import Status, defect_title, status_title

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")

NO_UNIT = "（未识别单位）"
TOP_DEFECTS = 10


@dataclass
class DigestRow:
    """One message handled during the day, as the digest lists it."""

    unit: str | None
    status: str  # accepted / defective / ignored / error
    received_at: datetime | None
    subject: str
    sender: str
    batch: str | None
    materials: dict[str, int] = field(default_factory=dict)  # kind -> count
    defect_codes: list[str] = field(default_factory=list)
    superseded: bool = False  # a later resend from the same unit replaced it
    note: str | None = None  # for the coordinator (e.g. a wrong PC clock on the sender's side)
    late: bool = False  # after the final deadline


@dataclass
class DeadLink:
    """A share link of an accepted submission that failed a later re-check."""

    unit: str | None
    url: str
    code: str | None  # check result: "dead", "wrong_code", ...
    checked_at: datetime | None
    detail: str | None


@dataclass
class BatchTotal:
    """A batch's standing collection: the latest version of each unit's materials."""

    kinds: dict[str, int] = field(default_factory=dict)  # material kind -> count
    units: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # accepted/defective -> materials


@dataclass
class UnitLine:
    """A unit as the digest's roster table and outstanding-defects list show it."""

    name: str
    in_roster: bool
    statuses: dict[str, int] = field(default_factory=dict)  # standing materials by status
    outstanding: list[str] = field(default_factory=list)  # what it still has to correct, in words
    last_mail: datetime | None = None


@dataclass
class NextDeadline:
    batch: str
    deadline: datetime


def _counts(rows: list[DigestRow]) -> dict[str, int]:
    statuses = Counter(r.status for r in rows)
    return {
        "received": len(rows),
        "accepted": statuses["accepted"],
        "defective": statuses["defective"],
        "ignored": statuses["ignored"],
        "other": len(rows) - statuses["accepted"] - statuses["defective"] - statuses["ignored"],
        "superseded": sum(r.superseded for r in rows),
    }


def _kind_rank(kind: str) -> int:
    return list(KIND_NAMES).index(kind) if kind in KIND_NAMES else len(KIND_NAMES)


def _materials_text(materials: dict[str, int]) -> str:
    ordered = sorted(materials.items(), key=lambda item: _kind_rank(item[0]))
    parts = [f"{KIND_NAMES.get(k, k)}×{n}" for k, n in ordered if n]
    return "、".join(parts) or "无"


def _row_view(row: DigestRow, tz: ZoneInfo) -> dict:
    return {
        "unit": row.unit or NO_UNIT,
        "status": status_title(row.status),
        "status_code": row.status,
        "time": clock.cn_datetime(row.received_at, tz),
        "subject": row.subject,
        "sender": row.sender,
        "batch": row.batch or "",
        "materials": _materials_text(row.materials),
        "problems": "、".join(defect_title(c) for c in dict.fromkeys(row.defect_codes)),
        "superseded": row.superseded,
        "note": row.note or "",
    }


def _sort_key(row: DigestRow) -> tuple:
    return (row.unit or "\uffff", row.received_at.timestamp() if row.received_at else 0.0)


def _top_defects(rows: list[DigestRow]) -> list[dict]:
    """Codes by how many messages had them (a code counts once per message)."""
    counter = Counter(code for r in rows for code in set(r.defect_codes))
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:TOP_DEFECTS]
    return [{"code": c, "title": defect_title(c), "count": n} for c, n in ranked]


def _dead_view(link: DeadLink, tz: ZoneInfo) -> dict:
    return {
        "unit": link.unit or NO_UNIT,
        "url": link.url,
        "state": LINK_CHECK_TITLES.get(link.code or "", link.code or ""),
        "time": clock.cn_datetime(link.checked_at, tz),
        "detail": link.detail or "",
    }


def _batch_view(totals: dict[str, BatchTotal]) -> tuple[list[str], list[dict]]:
    """Kinds as columns, one row per batch; statuses in the fixed order of `Status`."""
    kinds = sorted({k for t in totals.values() for k in t.kinds}, key=_kind_rank)
    rows = [{"batch": batch, "counts": [t.kinds.get(k, 0) for k in kinds], "total": sum(t.kinds.values()),
             "units": t.units,
             "statuses": [(s.title, t.statuses[s]) for s in Status if t.statuses.get(s)]}
            for batch, t in totals.items()]
    return [KIND_NAMES.get(k, k) for k in kinds], rows


def _unit_view(unit: UnitLine, tz: ZoneInfo) -> dict:
    state = "、".join(f"{status_title(s)} {n} 份" for s, n in unit.statuses.items() if n) or "尚未报送"
    return {"name": unit.name, "state": state, "silent": not unit.statuses,
            "outstanding": "；".join(unit.outstanding), "last": clock.cn_datetime(unit.last_mail, tz)}


def _deadline_view(deadline: NextDeadline | None, day: date, tz: ZoneInfo) -> dict | None:
    """The next deadline and the days left to it, counted from the digest's day."""
    if deadline is None:
        return None
    left = (clock.local_day(deadline.deadline, tz) - day).days
    return {"batch": deadline.batch, "when": clock.cn_datetime(deadline.deadline, tz),
            "days_left": left, "words": "今天截止" if left == 0 else f"还有 {left} 天"}


def digest_context(day: date, rows: list[DigestRow], dead_links: list[DeadLink],
                   identity: ReplyIdentity, totals_by_batch: dict[str, BatchTotal] | None,
                   tz: ZoneInfo | None = None, now: datetime | None = None,
                   units: list[UnitLine] | None = None, next_deadline: NextDeadline | None = None) -> dict:
    """Everything the digest templates may use.

    `day_word` names the day as a reader would on the day the digest is
    made: 今天, 昨天, or the date (a digest of another day).
    """
    tz = tz or clock.zone()
    batch_kinds, batch_rows = _batch_view(totals_by_batch or {})
    return {
        "day": clock.cn_date(day),
        "day_word": clock.day_word(day, tz, now),
        "timezone": tz,
        "counts": _counts(rows),
        "rows": [_row_view(r, tz) for r in sorted(rows, key=_sort_key)],
        "top_defects": _top_defects(rows),
        "dead_links": [_dead_view(link, tz) for link in dead_links],
        "batch_kinds": batch_kinds,
        "batch_rows": batch_rows,
        "late_rows": [_row_view(r, tz) for r in sorted(rows, key=_sort_key) if r.late],
        "roster": [_unit_view(u, tz) for u in units or [] if u.in_roster],
        "outstanding": [_unit_view(u, tz) for u in units or [] if u.outstanding],
        "next_deadline": _deadline_view(next_deadline, day, tz),
        "identity": identity,
        "signature_lines": identity.signature_lines(),
    }


def stats_view(summaries: list) -> list[dict]:
    """The per-profile statistics (ingest.coordinator.statistics.StatsSummary) as rows of figures, with the sums."""
    def cell(value) -> str:
        return "—" if value is None else str(value)

    return [{"title": f"{s.title}（{s.period}）", "profile": s.profile, "columns": s.columns,
             "units": [{"unit": unit, "figures": [cell(f.get(c)) for c in s.columns]} for unit, f in s.units.items()],
             "totals": [cell(s.totals()[c]) for c in s.columns]}
            for s in summaries]


def digest_subject(day: date, rows: list[DigestRow], dead_links: list[DeadLink]) -> str:
    counts = _counts(rows)
    subject = (f"[智慧助老] {day:%Y-%m-%d} 每日汇总：收到 {counts['received']} 封，"
               f"通过 {counts['accepted']}，需修改 {counts['defective']}")
    if dead_links:
        subject += f"，失效链接 {len(dead_links)}"
    return subject


def compose_digest(day: date, rows: list[DigestRow], dead_links: list[DeadLink], identity: ReplyIdentity,
                   to: list[str], totals_by_batch: dict[str, BatchTotal] | None = None,
                   attachment_xlsx: bytes | None = None, templates_dir: Path | None = None,
                   now: datetime | None = None, tz: ZoneInfo | None = None,
                   mailbox_problems: list[str] | None = None, units: list[UnitLine] | None = None,
                   next_deadline: NextDeadline | None = None, stats: list | None = None,
                   held: list[DigestRow] | None = None) -> EmailMessage:
    """The daily digest mail to coordinators, optionally with the summary workbook attached.

    `day` is a calendar day of the campaign's zone `tz` (Beijing by default).
    """
    context = digest_context(day, rows, dead_links, identity, totals_by_batch, tz, now, units, next_deadline)
    context["mailbox_problems"] = list(mailbox_problems or [])
    context["stats_tables"] = stats_view(stats or [])
    context["held"] = [_row_view(r, tz or clock.zone()) for r in sorted(held or [], key=_sort_key)]  # awaiting assign
    text, html = render_pair(template_env(templates_dir), "digest", context)
    msg = new_message(identity, to, digest_subject(day, rows, dead_links), now, "auto-generated", tz)
    msg.set_content(text, cte="base64")  # Chinese text: skip trying quoted-printable first
    msg.add_alternative(html, subtype="html", cte="base64")
    if attachment_xlsx is not None:
        msg.add_attachment(attachment_xlsx, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1],
                           filename=f"汇总表-{day:%Y%m%d}.xlsx")
    return msg
