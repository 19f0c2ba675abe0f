"""Subject naming: `单位名称+智慧助老材料+数量`."""

from __future__ import annotations

from collections.abc import Iterator

from parsers.facts import Defect, Submission
from rules.campaign import Campaign


def check_subject_format(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """The subject must name the unit and carry the campaign keyword."""
    info = sub.subject
    missing = []
    if not info.keyword_found:
        missing.append(f"“{campaign.keyword_words}”字样")
    if not info.unit:
        missing.append("单位名称")
    if missing:
        shown = info.raw.strip() or "（空）"
        yield Defect(
            code="SUBJECT_FORMAT", severity="error", where="邮件主题",
            message=f"邮件主题“{shown}”缺少{'和'.join(missing)}。请按“{campaign.subject_hint()}”的格式命名主题后重新发送。",
        )


def check_subject_count(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """The subject must state how many items are sent, so nothing goes missing unnoticed."""
    if sub.subject.keyword_found and sub.subject.declared_count is None:
        yield Defect(
            code="SUBJECT_COUNT_MISSING", severity="error", where="邮件主题",
            message=f"邮件主题“{sub.subject.raw.strip()}”未注明材料数量。请在主题末尾写明报送材料的个数，例如“{campaign.subject_hint()}”。",
        )
