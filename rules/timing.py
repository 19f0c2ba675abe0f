"""Batches and deadlines: when a message was sent, which batch it belongs to, whether it is late."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from parsers.facts import Defect, Submission
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
    late: bool  # past the final deadline


def assign_batch(sent: datetime, campaign: Campaign, text: str = "") -> BatchAssignment:
    """File by the message's date: the first batch whose deadline is not yet past.

    A message that names a batch (`第一批`) but arrives after that batch's
    deadline is filed into the next one with a LATE_BATCH warning; so is one
    that names none and misses the first deadline.
    """
    if not campaign.batches:
        return BatchAssignment(None, False, False)
    open_batches = [b for b in campaign.batches if not clock.is_past(sent, b.deadline)]
    if not open_batches:
        return BatchAssignment(campaign.batches[-1].name, False, True)
    filed = open_batches[0]
    named = _named_batch(text, campaign)
    late_batch = filed is not campaign.batches[0] and (named is None or named != filed.name)
    return BatchAssignment(filed.name, late_batch, False)


def _named_batch(text: str, campaign: Campaign) -> str | None:
    for batch in campaign.batches:
        if re.search(re.escape(batch.name), text):
            return batch.name
    return None


def check_late(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    if sub.late and campaign.final_deadline:
        deadline = clock.cn_datetime(campaign.final_deadline, campaign.zone)
        yield Defect(
            code="LATE", severity="error", where="发送时间",
            message=f"本邮件在最后截止时间（{deadline}）之后送达，材料已登记并转交征集工作组决定是否受理，无需重新发送。",
        )


def check_late_batch(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    if sub.late_batch and sub.batch:
        earlier = [b for b in campaign.batches if b.name != sub.batch and b.deadline < _deadline_of(sub.batch, campaign)]
        missed = earlier[-1] if earlier else None
        detail = f"已超过{missed.name}截止时间（{clock.cn_datetime(missed.deadline, campaign.zone)}），" if missed else ""
        yield Defect(
            code="LATE_BATCH", severity="warning", where="发送时间",
            message=f"本邮件{detail}材料已归入{sub.batch}处理。",
        )


def _deadline_of(name: str, campaign: Campaign) -> datetime:
    return next(b.deadline for b in campaign.batches if b.name == name)
