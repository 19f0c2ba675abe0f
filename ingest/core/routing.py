"""Which active profile a message belongs to, when several collections share one mailbox.

The subject decides first: the profile whose routing words it carries most.
When the subject is silent or carries as many words of several, the
attachments decide: a statistics table with the profile's columns, a report
it asks for, its forms; when they fit several alike, the subject's longer
word does ("智慧助老材料" beats "智慧助老"). A message that still fits none
or several is held for the coordinator (status review).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ingest.core.materials import AttachmentReader, report_role, stats_table
from parsers.facts import Material
from parsers.subject import strip_reply_prefixes
from rules.campaign import Campaign


@dataclass
class Route:
    campaign: Campaign | None
    why: str  # in Chinese, for the coordinator


def subject_score(subject: str, campaign: Campaign) -> tuple[int, int]:
    """(how many of its words the subject carries, the longest of them)."""
    text = unicodedata.normalize("NFKC", strip_reply_prefixes(subject or ""))
    hits = [w for w in campaign.routing.subject_words if unicodedata.normalize("NFKC", w) in text]
    return len(hits), max((len(w) for w in hits), default=0)


def material_score(campaign: Campaign, materials: list[Material], reader: AttachmentReader) -> int:
    """How strongly the attachments look like this profile's collection."""
    score = 0
    if campaign.stats is not None:
        score += 3 * any(stats_table(reader, i, campaign.stats) for i, m in enumerate(materials)
                         if m.form is None and not m.unreadable)
    score += 2 * len({spec.name for m in materials if (spec := report_role(m, campaign.reports))})
    forms = [m for m in materials if m.form is not None]
    score += sum(1 for m in forms if m.kind in campaign.routing.form_kinds)
    score += 2 * sum(1 for m in forms if any(w in m.form.text for w in campaign.routing.form_words))
    return score


def _best(scored: list[tuple[object, Campaign]]) -> list[Campaign]:
    top = max((s for s, _ in scored), default=None)
    return [c for s, c in scored if s == top and s not in (0, (0, 0))]


def route(subject: str, materials: list[Material], reader: AttachmentReader, campaigns: list[Campaign]) -> Route:
    """The subject's words first (how many); among a tie, the attachments; then the longer word."""
    if len(campaigns) == 1:
        return Route(campaigns[0], "只有一个征集")
    scores = {c.name: subject_score(subject, c) for c in campaigns}
    by_subject = _best([(scores[c.name][0], c) for c in campaigns])
    if len(by_subject) == 1:
        return Route(by_subject[0], "按邮件主题")
    pool = by_subject or campaigns
    by_materials = _best([(material_score(c, materials, reader), c) for c in pool])
    if len(by_materials) == 1:
        return Route(by_materials[0], "按附件内容")
    if by_subject:
        by_word = _best([(scores[c.name][1], c) for c in (by_materials or by_subject)])
        if len(by_word) == 1:
            return Route(by_word[0], "按邮件主题")
    names = "、".join(f"{c.name}（{c.title}）" for c in (by_materials or pool))
    return Route(None, f"无法确定属于哪个征集（可能是：{names}），请协调人用“intake assign 编号 征集名称”指定")
