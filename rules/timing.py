"""Batches and deadlines: when a message was sent, which batch it belongs to, whether it is late."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import PurePath
from zoneinfo import ZoneInfo

from parsers.facts import Defect, Material, Submission
from parsers.period import Quarter, read_quarter
from rules import clock
from rules.campaign import Campaign

# A Date header this far from the server's receipt time comes from a wrong PC clock.
CLOCK_SKEW_LIMIT = timedelta(days=1)


@dataclass
class SendingTime:
    moment: datetime | None  # aware; None when the message carries no time at all
    note: str | None = None  # for the coordinator, when the Date header was not believed


def sending_time(header: datetime | None, received: datetime | None, tz: ZoneInfo) -> SendingTime:
    """The moment a message counts as sent: its Date header, unless the server says otherwise.

    The Date header is the sender's own clock; it is used (a mail sent at
    23:58 and delivered at 00:01 is on time) unless it is more than a day
    away from the server's receipt time (last Received stamp, or IMAP
    INTERNALDATE) — then the PC's clock is wrong and the server decides.
    A header without a zone is wall time in the campaign's zone.
    """
    sent = clock.localize(header, tz) if header else None
    server = clock.localize(received, tz) if received else None
    if sent is None or server is None:
        return SendingTime(sent or server)
    if abs(sent - server) <= CLOCK_SKEW_LIMIT:
        return SendingTime(sent)
    note = (f"邮件 Date 头的时间（{clock.cn_datetime(sent, tz)}）与服务器收信时间（{clock.cn_datetime(server, tz)}）"
            f"相差超过一天，发件电脑的时钟可能有误，已按服务器收信时间判断批次和是否逾期。")
    return SendingTime(server, note)


@dataclass
class BatchAssignment:
    batch: str | None
    late_batch: bool  # past the deadline of the batch it named, or of an earlier batch, filed later
    late: bool  # past the deadline of the period it is filed under when a document stated it, else the final one
    note: str | None = None  # for the coordinator: how the period a document states decided the filing


def assign_batch(sent: datetime, campaign: Campaign, text: str = "",
                 materials: Iterable[Material] = ()) -> BatchAssignment:
    """File by the period the documents state, else by the message's date.

    A quarterly table headed `2021年第3季度` is the third quarter's report
    whenever it is sent: filed under it, and late when sent after its
    deadline (a unit catching up must not have its Q3 figures counted as Q4).
    Without a stated period: the first batch whose deadline is not yet past;
    a message that names a batch (`第一批`) but arrives after that batch's
    deadline is filed into the next one with a LATE_BATCH warning; so is one
    that names none and misses the first deadline.
    """
    if not campaign.batches:
        return BatchAssignment(None, False, False)
    by_date = _by_date(sent, campaign, text)
    quarterly = any(read_quarter(b.name) for b in campaign.batches)  # batches named 第一批 state no period
    stated = stated_periods(materials, sent, campaign) if quarterly else {}
    if not stated:
        return by_date
    if len(stated) > 1:
        names = "、".join(f"{q.name}（《{f}》）" for q, f in stated.items())
        return replace(by_date, note=f"所附统计表写明的期次不一致：{names}，已按发送时间归入{by_date.batch}，请核对。")
    (period, filename), = stated.items()
    return _by_stated(sent, campaign, period, filename, by_date)


def _by_date(sent: datetime, campaign: Campaign, text: str) -> BatchAssignment:
    open_batches = [b for b in campaign.batches if not clock.is_past(sent, b.deadline)]
    if not open_batches:
        return BatchAssignment(campaign.batches[-1].name, False, True)
    filed = open_batches[0]
    named = _named_batch(text, campaign)
    late_batch = filed is not campaign.batches[0] and (named is None or named != filed.name)
    return BatchAssignment(filed.name, late_batch, False)


def _by_stated(sent: datetime, campaign: Campaign, period: Quarter, filename: str,
               by_date: BatchAssignment) -> BatchAssignment:
    batch = next((b for b in campaign.batches if read_quarter(b.name) == period), None)
    if batch is None:
        return replace(by_date, note=f"《{filename}》写明为{period.name}，不是本征集的期次，已按发送时间归入{by_date.batch}，请核对。")
    late = clock.is_past(sent, batch.deadline)
    if batch.name == by_date.batch and late == by_date.late:
        return BatchAssignment(batch.name, False, late)  # the period named is the one it is filed under
    note = (f"《{filename}》写明为{batch.name}，已按{batch.name}登记（该期截止时间 {clock.cn_datetime(batch.deadline, campaign.zone)}"
            f"{'，本邮件在截止时间之后送达，记为逾期' if late else ''}）；按发送时间本应归入{by_date.batch}。")
    return BatchAssignment(batch.name, False, late, note)


def stated_periods(materials: Iterable[Material], sent: datetime, campaign: Campaign) -> dict[Quarter, str]:
    """The quarter each statistics table states (in its heading, else its file name) -> the file stating it.

    A heading that leaves out the year (`第三季度`, `7-9月`) means the latest
    such quarter that had begun when the mail was sent.
    """
    found: dict[Quarter, str] = {}
    for m in materials:
        if m.stats is None:
            continue
        period = read_quarter(m.stats.period or _heading(m)) or read_quarter(PurePath(m.filename).stem)
        if period is not None:
            found.setdefault(_with_year(period, clock.local(sent, campaign.zone)), m.filename)
    return found


def _heading(m: Material) -> str:
    """The text above the table's first row of figures: its title, 填报单位 and period lines."""
    first = m.stats.rows[0].label if m.stats.rows else ""
    return m.text.split(first, 1)[0] if first and first in m.text else "\n".join(m.text.splitlines()[:4])


def _with_year(period: Quarter, sent: datetime) -> Quarter:
    if period.year is not None:
        return period
    begun = (period.quarter - 1) * 3 + 1 <= sent.month
    return Quarter(sent.year if begun else sent.year - 1, period.quarter)


def _named_batch(text: str, campaign: Campaign) -> str | None:
    for batch in campaign.batches:
        if re.search(re.escape(batch.name), text):
            return batch.name
    return None


def check_late(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """Sent after the deadline of the period it is filed under: the stated quarter's, or the final one."""
    deadline = _deadline_of(sub.batch, campaign) or campaign.final_deadline
    if not sub.late or deadline is None:
        return
    when = clock.cn_datetime(deadline, campaign.zone)
    if deadline == campaign.final_deadline:
        message = f"本邮件在最后截止时间（{when}）之后送达，材料已登记并转交征集工作组决定是否受理，无需重新发送。"
    else:
        message = (f"贵单位报送的是{sub.batch}的材料，该期截止时间为{when}，本邮件在截止时间之后送达。"
                   f"材料已按{sub.batch}登记并转交征集工作组决定是否受理，无需重新发送。")
    yield Defect(code="LATE", severity="error", where="发送时间", message=message)


def check_late_batch(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    deadline = _deadline_of(sub.batch, campaign)
    if sub.late and deadline is not None and deadline != campaign.final_deadline and _warn_only(campaign):
        yield Defect(code="LATE_BATCH", severity="warning", where="发送时间",
                     message=f"本邮件所报{sub.batch}的材料晚于该期截止时间（{clock.cn_datetime(deadline, campaign.zone)}）"
                             f"送达，已归入{sub.batch}处理。")
    if sub.late_batch and deadline is not None:
        earlier = [b for b in campaign.batches if b.name != sub.batch and b.deadline < deadline]
        missed = earlier[-1] if earlier else None
        detail = f"已超过{missed.name}截止时间（{clock.cn_datetime(missed.deadline, campaign.zone)}），" if missed else ""
        yield Defect(
            code="LATE_BATCH", severity="warning", where="发送时间",
            message=f"本邮件{detail}材料已归入{sub.batch}处理。",
        )


def _warn_only(campaign: Campaign) -> bool:
    """A profile that judges lateness by LATE_BATCH alone: a late stated period is a warning, not LATE."""
    return campaign.checks is not None and "late" not in campaign.checks


def _deadline_of(name: str | None, campaign: Campaign) -> datetime | None:
    return next((b.deadline for b in campaign.batches if b.name == name), None)
