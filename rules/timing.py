"""Batches and deadlines: which batch a message belongs to, and whether it is late."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from parsers.facts import Defect, Submission
from rules.campaign import Campaign


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
    open_batches = [b for b in campaign.batches if sent <= b.deadline]
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
        deadline = campaign.final_deadline.strftime("%Y年%m月%d日 %H:%M")
        yield Defect(
            code="LATE", severity="error", where="发送时间",
            message=f"本邮件发送时已超过最后截止时间（{deadline}），材料已登记但无法纳入本次征集。如有特殊情况，请与征集工作组联系。",
        )


def check_late_batch(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    if sub.late_batch and sub.batch:
        earlier = [b for b in campaign.batches if b.name != sub.batch and b.deadline < _deadline_of(sub.batch, campaign)]
        missed = earlier[-1] if earlier else None
        detail = f"已超过{missed.name}截止时间（{missed.deadline:%Y年%m月%d日}），" if missed else ""
        yield Defect(
            code="LATE_BATCH", severity="warning", where="发送时间",
            message=f"本邮件{detail}材料已归入{sub.batch}处理，无需重新发送。",
        )


def _deadline_of(name: str, campaign: Campaign) -> datetime:
    return next(b.deadline for b in campaign.batches if b.name == name)
