"""Who a mail is from: the unit, resolved from all the evidence, and the roster it is checked against.

Units write their name in the subject, in the forms' 申报单位 and under
their signature, often each a little differently (`鄞州区`,
`宁波市鄞州区社区学院（盖章）`), and a corrected resend is often a bare reply
in the thread. The unit is resolved in this order, and how is recorded:
the roster entry of the sender's address; the unit of the thread or of the
sender's earlier mail; the forms' 申报单位; the subject; the signature.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from parsers.facts import Defect, Submission
from parsers.subject import ORG_SUFFIXES
from rules.campaign import Campaign, Roster, RosterUnit
from rules.unit_names import is_short_form, normalise_unit, same_unit, units_related

_SIGNATURE = re.compile(rf"^[\u4e00-\u9fff（）()]{{2,40}}(?:{ORG_SUFFIXES}|局|馆|站|办公室)$")
_SIGNATURE_LINES = 8


@dataclass
class UnitResolution:
    name: str | None
    evidence: list[str] = field(default_factory=list)  # in Chinese, for the coordinator


def resolve_unit(sub: Submission, roster: Roster, known: str | None = None,
                 known_how: str = "往来邮件") -> UnitResolution:
    """The unit a submission is from, with the evidence that decided it.

    `known` is the unit of the mail's thread or of the sender's earlier
    mail, when the database knows one. A short subject name (`鄞州区`) is
    taken as the full name of the roster entry, thread or forms it fits.
    """
    subject = sub.subject.unit
    by_address = roster.for_address(sub.message.sender)
    if by_address:
        return UnitResolution(by_address.name, [f"名册：发件地址 {sub.message.sender}"])
    if known and (not subject or same_unit(subject, known) or is_short_form(subject, known)):
        return UnitResolution(_canonical(known, roster), [f"{known_how}：{known}"])
    form_unit = _forms_unit(sub)
    if form_unit and (not subject or is_short_form(subject, form_unit)):
        return UnitResolution(_canonical(form_unit, roster), [f"申报表的申报单位：{form_unit}"])
    if subject:
        return UnitResolution(_canonical(subject, roster), [f"邮件主题：{subject}"])
    signed = signature_unit(sub.message.text)
    if signed:
        return UnitResolution(_canonical(signed, roster), [f"正文落款：{signed}"])
    return UnitResolution(None, [])


def _canonical(name: str, roster: Roster) -> str:
    """The roster's spelling of a name or alias, else the name as written."""
    entry = roster.for_name(name)
    return entry.name if entry else name.strip()


def _forms_unit(sub: Submission) -> str | None:
    """The 申报单位 every form agrees on (a city forwarding its districts' forms has none)."""
    units = [m.form.unit for m in sub.forms() if m.form and m.form.unit]
    if not units:
        return None
    keys = Counter(normalise_unit(u) for u in units)
    return units[0] if len(keys) == 1 else None


def signature_unit(body: str) -> str | None:
    """The organisation under the signature: the last short line that is a unit's name."""
    lines = [line.strip() for line in (body or "").splitlines() if line.strip()]
    for line in reversed(lines[-_SIGNATURE_LINES:]):
        candidate = re.sub(r"\s+", "", line)
        if _SIGNATURE.fullmatch(candidate):
            return candidate
    return None


def check_unit_mismatch(sub: Submission, campaign: Campaign) -> Iterable[Defect]:
    """UNIT_MISMATCH (warning): a form filed for a unit other than the one the mail is from.

    Names both. A city forwarding its districts' forms is related and fine;
    a roster address sending another roster unit's forms is not.
    """
    unit = sub.unit or sub.subject.unit
    if not unit:
        return
    own = campaign.roster.for_name(unit)
    for material in sub.forms():
        form_unit = material.form.unit
        if not form_unit or same_unit(form_unit, unit) or is_short_form(form_unit, unit):
            continue
        other = campaign.roster.for_name(form_unit)
        if (other and other is not own) or not units_related(unit, form_unit):
            yield Defect(
                "UNIT_MISMATCH", "warning",
                f"附件《{material.filename}》中的申报单位为“{form_unit}”，与本邮件的报送单位“{unit}”不一致。"
                "请核对申报单位名称；如系代下属单位报送，可忽略此提示。",
                where="申报单位",
            )


def roster_from_config(entries: list[dict]) -> Roster:
    """`[roster] units = [{ name, aliases, addresses, allowlist }]` as a Roster; raises ValueError on a bad entry."""
    units = []
    for entry in entries:
        if not isinstance(entry, dict) or not str(entry.get("name", "")).strip():
            raise ValueError(f"名册条目缺少单位名称：{entry!r}")
        lists = {key: entry.get(key, []) for key in ("aliases", "addresses", "allowlist")}
        for key, value in lists.items():
            if isinstance(value, str) or not isinstance(value, list):
                raise ValueError(f"“{entry['name']}”的 {key} 应写成列表，如 {key} = [\"…\"]")
        words = {key: [str(a) for a in value] for key, value in lists.items()}
        units.append(RosterUnit(str(entry["name"]).strip(), **words))
    return Roster(units)


def sender_not_allowed(sub: Submission, roster: Roster) -> str | None:
    """Why a mail waits for a coordinator instead of an answer: its unit has an allowlist without this sender.

    The mail is still read and judged, so the coordinator sees everything;
    only the automatic receipt or notice is held back.
    """
    entry = roster.for_name(sub.unit) if sub.unit else None
    if entry is None or entry.allows(sub.message.sender):
        return None
    listed = "、".join(entry.allowlist)
    return (f"发件地址 {sub.message.sender or '（无）'} 不在名册中“{entry.name}”的允许发件地址（{listed}）内："
            "已留待协调人审核，未自动回复。确认无误可用 intake accept 或 reject 处理。")
