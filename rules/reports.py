"""Reports and cases written as free text: present, within the character limit, not more than asked for."""

from __future__ import annotations

from collections.abc import Iterator

from parsers.facts import Defect, Material, Submission
from rules.campaign import Campaign
from rules.profile import ReportSpec


def reports_of(sub: Submission, spec: ReportSpec) -> list[Material]:
    return [m for m in sub.materials if m.kind == "report" and m.role == spec.name]


def check_report_missing(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    if not sub.materials:
        return  # NO_ATTACHMENTS says it all
    for spec in campaign.reports:
        unreadable = [m for m in sub.materials if m.unreadable and any(w in m.filename for w in spec.name_words)]
        if spec.required and not reports_of(sub, spec) and not unreadable:
            yield Defect("REPORT_MISSING", "error",
                         f"邮件中没有找到《{spec.name}》。请将{spec.name}（Word 或 PDF 文件，文件名中写明“{spec.name}”）"
                         "随邮件一并发送。", "附件")


def check_report_length(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """Characters as the notice counts them: Chinese characters, letters, digits and punctuation; no whitespace."""
    for spec in campaign.reports:
        if spec.max_chars is None:
            continue
        for m in reports_of(sub, spec):
            if m.chars is not None and m.chars > spec.max_chars:
                yield Defect("TEXT_TOO_LONG", "error",
                             f"《{m.filename}》（{spec.name}）共 {m.chars} 字，超过通知要求的 {spec.max_chars} 字，"
                             "请精简后重新发送。", m.filename)


def check_too_many_items(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    for spec in campaign.reports:
        found = reports_of(sub, spec)
        if spec.max_count is not None and len(found) > spec.max_count:
            names = "、".join(f"《{m.filename}》" for m in found)
            yield Defect("TOO_MANY_ITEMS", "error",
                         f"通知要求每个单位报送{spec.max_count}份{spec.name}，本邮件收到{len(found)}份（{names}）。"
                         f"请选定{spec.max_count}份后重新发送。", spec.name)
