"""The 《“智慧助老”信息汇总表》 against what the mail carries: each listed item sent, each item sent listed."""

from __future__ import annotations

from collections.abc import Iterator

from parsers.facts import Defect, Submission
from rules.campaign import Campaign
from rules.pairing import MATCH, pair_forms, similarity


def _matches(name: str, names: list[str]) -> bool:
    return any((similarity(name, other) or 0.0) >= MATCH for other in names)


def check_summary_mismatch(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """A warning, not an error: the summary may cover what an earlier mail brought."""
    listings = [m for m in sub.materials if m.kind == "summary" and m.listing]
    sent = [g.name for g in pair_forms(sub.materials) if g.name]
    if not listings or not sent:
        return
    listed = [name for m in listings for name in m.listing]
    where = listings[0].filename
    missing = [name for name in listed if not _matches(name, sent)]
    unlisted = [name for name in sent if not _matches(name, listed)]
    if missing:
        yield Defect("SUMMARY_MISMATCH", "warning",
                     f"《{where}》中列出的{_names(missing)}，本邮件中没有收到对应的申报表。"
                     "如已另行报送可忽略；否则请补发，或修改汇总表。", where)
    if unlisted:
        yield Defect("SUMMARY_MISMATCH", "warning",
                     f"本邮件收到的{_names(unlisted)}，没有列在《{where}》中，请在汇总表中补列后重新发送汇总表。", where)


def _names(names: list[str]) -> str:
    return "、".join(f"《{n}》" for n in names)
