"""Checks of the netdisk share links that carry the video course resources.

Each check reads `sub.links` (found by parsers/links.py, optionally checked
online by ingest/linkcheck) or the course forms, and tells the submitter what
is wrong with which link and how to fix it. A link whose online check came
back "unknown" (network trouble, captcha, rate limit) is never a defect.
"""

from __future__ import annotations

import re
from typing import Iterable

from parsers.facts import Defect, Material, ShareLink, Submission
from parsers.links import find_links_in_document
from parsers.netdisk import PROVIDERS, code_fits, code_shape, provider_name
from rules.campaign import Campaign

PERMANENT = "并将分享有效期设置为“永久有效”"


def _where(link: ShareLink) -> str:
    """Where the link was found, in the submitter's words."""
    found_in = link.found_in or ""
    if found_in in ("body", "html") or found_in.startswith("正文"):
        return "邮件正文"
    return f"附件“{found_in}”"


def _named(link: ShareLink) -> str:
    return f"{_where(link)}中的{provider_name(link.provider)}链接 {link.url}"


def _accepted(campaign: Campaign) -> str:
    return "、".join(provider_name(p) for p in campaign.accepted_link_providers) or "网盘"


def check_link_malformed(sub: Submission, campaign: Campaign) -> Iterable[Defect]:
    """A URL that cannot be a share of its provider (truncated id, personal page) opens nothing."""
    for link in sub.links:
        if not link.well_formed:
            yield Defect(
                "LINK_MALFORMED", "error",
                f"{_named(link)} {link.problem or '不是有效的分享链接'}，请重新复制完整的分享链接后发送给我们。",
                link.found_in,
            )


def check_link_code_missing(sub: Submission, campaign: Campaign) -> Iterable[Defect]:
    """A share that needs a code is useless without one, or with one of the wrong shape."""
    for link in sub.links:
        if not (link.well_formed and link.needs_code):
            continue
        if link.code is None:
            message = f"{_named(link)} 未附提取码，请在邮件中补充提取码，{PERMANENT}。"
        elif not code_fits(link.provider, link.code):
            message = (
                f"{_named(link)} 的提取码“{link.code}”格式不对（应为{code_shape(link.provider)}），"
                "请核对后补充正确的提取码。"
            )
        else:
            continue
        yield Defect("LINK_CODE_MISSING", "error", message, link.found_in)


def _video_courses(sub: Submission) -> list[Material]:
    return [
        m for m in sub.materials
        if m.form and m.form.kind == "course" and "视频资源" in m.form.resource_types
    ]


def check_link_missing(sub: Submission, campaign: Campaign) -> Iterable[Defect]:
    """A course with video resources needs a link, unless the video itself is attached.

    Any link counts here, even a malformed one: LINK_MALFORMED already asks
    for that one to be fixed, and saying "no link" as well would confuse.
    """
    if sub.links or any(m.kind == "video" for m in sub.materials):
        return
    for m in _video_courses(sub):
        yield Defect(
            "LINK_MISSING", "error",
            f"课程《{m.title or m.filename}》的申报表勾选了“视频资源”，但邮件中没有找到视频的网盘分享链接。"
            f"请将视频上传至{_accepted(campaign)}，{PERMANENT}，并在邮件正文中附上分享链接和提取码。",
            m.filename,
        )


def check_link_provider(sub: Submission, campaign: Campaign) -> Iterable[Defect]:
    """Warn about netdisks the campaign does not take (the reviewers may not be able to download).

    Mail super-attachments are left to check_link_expires, which says more.
    """
    for link in sub.links:
        provider = PROVIDERS.get(link.provider)
        if provider and not provider.expires and link.provider not in campaign.accepted_link_providers:
            yield Defect(
                "LINK_PROVIDER", "warning",
                f"{_named(link)} 不在本次征集接受的网盘范围内（接受：{_accepted(campaign)}），"
                f"建议改用{_accepted(campaign)}分享，{PERMANENT}。",
                link.found_in,
            )


def _course_links(m: Material) -> set[str]:
    form = m.form
    return {
        link.url for link in find_links_in_document(form.text, form.hyperlinks, m.filename) if link.well_formed
    }


def check_link_reused(sub: Submission, campaign: Campaign) -> Iterable[Defect]:
    """Two different courses pointing at one share is usually a copy-and-paste slip."""
    seen: dict[str, Material] = {}
    for m in (m for m in sub.materials if m.form and m.form.kind == "course"):
        for url in sorted(_course_links(m)):
            first = seen.setdefault(url, m)
            if first is not m and _course_name(first) != _course_name(m):
                yield Defect(
                    "LINK_REUSED", "warning",
                    f"课程《{_course_name(first)}》和《{_course_name(m)}》的申报表填写了同一个分享链接 {url}，"
                    "请确认每门课程的视频资源链接是否正确。",
                    m.filename,
                )


def _course_name(m: Material) -> str:
    return re.sub(r"\s+", "", m.title or m.filename)


def check_link_dead(sub: Submission, campaign: Campaign) -> Iterable[Defect]:
    """The online check found the share deleted, cancelled or expired."""
    for link in sub.links:
        if link.check == "dead":
            reason = f"（{link.check_detail}）" if link.check_detail else ""
            yield Defect(
                "LINK_DEAD", "error",
                f"{_named(link)} 已经失效{reason}，请重新分享，{PERMANENT}，再将新的链接和提取码发送给我们。",
                link.found_in,
            )


def check_link_code_wrong(sub: Submission, campaign: Campaign) -> Iterable[Defect]:
    """The online check found the share but the code sent does not open it."""
    for link in sub.links:
        if link.check == "wrong_code":
            yield Defect(
                "LINK_CODE_WRONG", "error",
                f"{_named(link)} 的提取码“{link.code or ''}”不正确，无法打开分享，请核对后将正确的提取码发送给我们。",
                link.found_in,
            )


def check_link_expires(sub: Submission, campaign: Campaign) -> Iterable[Defect]:
    """The notices ask for permanent shares: warn about links that will stop working."""
    for link in sub.links:
        if not link.expires or link.check == "dead":
            continue
        provider = PROVIDERS.get(link.provider)
        if provider and provider.expires:
            message = (
                f"{_named(link)} 是邮箱超大附件，过一段时间就会过期，届时将无法下载。"
                f"请改用{_accepted(campaign)}上传，{PERMANENT}，再将分享链接和提取码发送给我们。"
            )
        else:
            detail = f"（{link.check_detail}）" if link.check_detail else ""
            message = f"{_named(link)} 不是永久有效的分享{detail}，请重新分享并将有效期设置为“永久有效”。"
        yield Defect("LINK_EXPIRES", campaign.link_expiry, message, link.found_in)
