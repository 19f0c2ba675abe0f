"""Every application form twice: the Word file and its stamped scan.

The pairing (``rules.pairing``) puts each form's Word file, scanned pages and
PDFs saved from Word together; the checks then judge the groups: a form
without its scan, a scan without its Word file, the seal, the count. One
mistake is told once: a group missing its Word file is WORD_MISSING only, and
a count that is off only because a Word file and a scan could not be put
together is not also COUNT_MISMATCH.
"""

from __future__ import annotations

from collections.abc import Iterator

from parsers.facts import FORM_KINDS, FORM_TITLES, Defect, Material, Submission
from parsers.seal import FOUND, UNCERTAIN
from rules.campaign import Campaign
from rules.pairing import MATCH, FormGroup, pair_forms


# ---------------------------------------------------------------- messages


def _pages(pages: list[tuple[Material, int]]) -> str:
    """"《a.pdf》第1、2页；《b.jpg》" — where a coordinator finds the pages."""
    by_file: dict[str, list[int]] = {}
    multi: dict[str, bool] = {}
    for m, index in pages:
        by_file.setdefault(m.filename, []).append(index + 1)
        multi[m.filename] = bool(m.scan and len(m.scan.pages) > 1)
    parts = []
    for name, numbers in by_file.items():
        where = f"第{'、'.join(map(str, numbers))}页" if multi[name] else ""
        parts.append(f"《{name}》{where}")
    return "、".join(parts)


def _sent(group: FormGroup) -> list[tuple[Material, int]]:
    """The group's pages as sent, scans first: where a message about it points."""
    return group.scan_pages + group.exports


def _form_label(group: FormGroup) -> str:
    title = FORM_TITLES.get(group.kind, "申报表")
    return f"{title}《{group.name}》" if group.name else title


# ---------------------------------------------------------------- checks


def _unread_words(sub: Submission, groups: list[FormGroup]) -> tuple[list[Material], set[int]]:
    """Word forms that could not be read, and the scan-only groups they stand for.

    An unreadable `西湖区+案例.docx` next to its scan is still one form: it
    takes the place of a scan-only group of its kind instead of adding one.
    """
    unread = [m for m in sub.materials if m.kind in FORM_KINDS and m.form is None]
    covered: set[int] = set()
    for m in unread:
        twin = next((i for i, g in enumerate(groups)
                     if g.word is None and g.kind == m.kind and i not in covered), None)
        if twin is not None:
            covered.add(twin)
    return unread, covered


def check_count_mismatch(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """The subject's 数量 must equal the forms sent (a form's Word file and scan count once)."""
    declared = sub.subject.declared_count
    if declared is None or not sub.materials:  # nothing attached: NO_ATTACHMENTS says it all
        return
    groups = pair_forms(sub.materials)
    unread_words, covered = _unread_words(sub, groups)
    actual = len(groups) + len(unread_words) - len(covered)
    if actual == declared or (actual == 0 and any(m.unreadable for m in sub.materials)):
        return
    if actual < declared and any(m.unreadable and m.kind == "other" for m in sub.materials):
        return  # the forms not counted may be inside the file we could not open: ATTACHMENT_UNREADABLE asks for it
    if declared < actual <= declared + _told_apart(groups, covered, campaign):
        return  # the surplus is a Word file and a scan we could not pair, already told as SCAN_MISSING/WORD_MISSING
    kinds = [g.kind for i, g in enumerate(groups) if i not in covered] + [m.kind for m in unread_words]
    detail = "、".join(f"{FORM_TITLES[k]}{kinds.count(k)}份" for k in FORM_KINDS if kinds.count(k))
    yield Defect(
        code="COUNT_MISMATCH", severity="error", where="邮件主题",
        message=(
            f"邮件主题中填写的材料数量为{declared}份，但实际收到{actual}份申报材料"
            f"{'（' + detail + '）' if detail else ''}。同一份申报表的Word文件和盖章扫描件只算一份，"
            "请核对后在主题中改正数量，或补齐缺少的材料重新发送。"
        ),
    )


def _told_apart(groups: list[FormGroup], covered: set[int], campaign: Campaign) -> int:
    """How many forms may be counted twice because their Word file and scan did not pair.

    Each such Word file is SCAN_MISSING and each such scan WORD_MISSING
    already; the count they inflate is the same mistake, not a second one.
    """
    listed = campaign.checks is None or {"word_missing", "scan_missing"} <= set(campaign.checks)
    if not (campaign.require_scan and listed):
        return 0
    words = sum(1 for g in groups if g.word is not None and not g.scan_pages)
    scans = sum(1 for i, g in enumerate(groups) if g.word is None and i not in covered)
    return min(words, scans)


def check_word_missing(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """A scanned form needs its editable Word file: the scan cannot be edited or counted."""
    groups = pair_forms(sub.materials)
    _, covered = _unread_words(sub, groups)  # its Word file came but could not be read
    for i, g in enumerate(groups):
        if g.word is not None or i in covered:
            continue
        if g.exports:
            told = (f"{_pages(g.exports)}是由Word导出的PDF，不能编辑，不能代替Word文件；"
                    f"本邮件中没有{_form_label(g)}的Word文件。")
        else:
            told = f"扫描件{_pages(g.scan_pages)}中的{_form_label(g)}没有对应的Word文件。"
        yield Defect(
            code="WORD_MISSING", severity="error", where=(g.exports or g.scan_pages)[0][0].filename,
            message=f"{told}请补发该申报表可编辑的Word版（.docx）。",
        )


def check_scan_missing(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """Each Word form needs its signed and stamped scan, when the campaign asks for scans.

    Not reported while a scan file could not be read: the unreadable-file
    defect already asks for it again, and it may well hold this form.
    """
    if not campaign.require_scan:
        return
    if any(m.kind == "scan" and (m.unreadable or m.scan is None) for m in sub.materials):
        return
    for g in pair_forms(sub.materials):
        if g.scan_pages or not (g.word or g.exports):
            continue
        files = f"《{g.word.filename}》" if g.word else _pages(g.exports)
        export = f"{_pages(g.exports)}是由Word导出、未盖章的PDF，不是盖章扫描件。" if g.exports else ""
        yield Defect(
            code="SCAN_MISSING", severity="error", where=g.word.filename if g.word else g.exports[0][0].filename,
            message=(
                f"{files}（{_form_label(g)}）没有对应的盖章扫描件。{export}"
                "请将该申报表打印、加盖申报单位公章后扫描，随邮件一并发送（PDF或JPG均可）。"
            ),
        )


def check_stamp(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """A scanned form needs the unit's seal (any colour, an e-seal or a signature) on one of its pages;
    weak evidence — a pale or partial seal, an unsigned signature field — is flagged, not failed."""
    for g in pair_forms(sub.materials):
        if not g.scan_pages:
            continue
        seals = [p.seal for m, i in g.scan_pages for p in m.scan.pages if p.index == i]
        strongest = max(seals, key=lambda s: s.confidence, default=None)
        best = strongest.confidence if strongest else 0.0
        if any(s.found for s in seals) or best >= FOUND:
            continue
        where = _pages(g.scan_pages)
        if best >= UNCERTAIN:
            seen = ("中的电子签名栏尚未签署" if strongest.method == "digital-signature"
                    else "上的公章颜色较淡、不完整或不够清晰")
            yield Defect(
                code="STAMP_UNCERTAIN", severity="warning", where=g.scan_pages[0][0].filename,
                message=(
                    f"扫描件{where}（{_form_label(g)}）{seen}，系统无法确认"
                    f"（可信度{best:.2f}），将由工作人员人工核对；如方便，请重新清晰扫描后发送。"
                ),
            )
        else:
            yield Defect(
                code="STAMP_MISSING", severity="error", where=g.scan_pages[0][0].filename,
                message=(
                    f"扫描件{where}（{_form_label(g)}）未检测到单位公章，"
                    "请在“申报单位意见”栏加盖申报单位公章后重新扫描发送。"
                ),
            )


def check_scan_name(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """Warn when the name read on a scan differs from its Word form: maybe the wrong scan was sent."""
    for g in pair_forms(sub.materials):
        if g.word is None or g.similarity is None or g.similarity >= MATCH:
            continue
        yield Defect(
            code="SCAN_NAME_MISMATCH", severity="warning", where=_sent(g)[0][0].filename,
            message=(
                f"扫描件{_pages(_sent(g))}上识别到的名称为《{g.scan_name}》，"
                f"与Word文件《{g.word.filename}》中的《{g.name}》不一致。"
                "请确认扫描件与Word文件是同一份申报表；如不是，请补发对应的扫描件。"
            ),
        )

