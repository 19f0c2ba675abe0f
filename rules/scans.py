"""Every application form twice: the Word file and its stamped scan.

``pair_forms`` matches scanned form pages to Word forms by kind and name
(the unit breaks ties), whatever the packaging: one PDF holding every form,
one file per form, or one JPG per page. A page without a title (``form_kind``
None) continues the form read just before it, even from the previous file, so
page 2 of a long form joins page 1. The checks then judge the pairs: a form
without its scan, a scan without its Word file, the seal, the count.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from parsers.facts import FORM_KINDS, FORM_TITLES, Defect, Material, Submission
from parsers.seal import FOUND, UNCERTAIN
from rules.campaign import Campaign

MATCH = 0.6  # name similarity from which a scan is the Word form's twin
DUPLICATE = 0.8  # a second scan of an already paired form must match this well


@dataclass
class FormGroup:
    """One application form as sent: its Word file and/or its scanned pages."""

    kind: str
    name: str | None
    word: Material | None
    scan_pages: list[tuple[Material, int]] = field(default_factory=list)
    scan_name: str | None = None  # the name OCR read on the scan
    similarity: float | None = None  # of scan_name to the Word title, when both are known


@dataclass
class _ScanForm:
    """A form as found in the scans: a titled page and the untitled pages after it."""

    kind: str
    name: str | None
    unit: str | None
    pages: list[tuple[Material, int]]


def comparable(text: str | None) -> str:
    """Names compared without spaces, punctuation, width or case differences."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def similarity(a: str | None, b: str | None) -> float | None:
    """0..1 likeness of two names; a name cut short by OCR still scores high."""
    a, b = comparable(a), comparable(b)
    if not a or not b:
        return None
    ratio = difflib.SequenceMatcher(None, a, b).ratio()
    short, long = sorted((a, b), key=len)
    if len(short) >= 6 and short in long:
        ratio = max(ratio, 0.9)
    return ratio


def _scan_forms(materials: list[Material]) -> list[_ScanForm]:
    forms: list[_ScanForm] = []
    current = None
    for m in materials:
        if m.kind != "scan" or m.scan is None:
            continue
        for page in m.scan.pages:
            if page.form_kind in FORM_KINDS:
                current = _ScanForm(page.form_kind, page.name, page.unit, [(m, page.index)])
                forms.append(current)
            elif page.form_kind is None and current is not None:
                current.pages.append((m, page.index))
            else:
                current = None
    return forms


def _score(scan: _ScanForm, group: FormGroup) -> float:
    name = similarity(scan.name, group.word.form.title)
    unit = similarity(scan.unit, group.word.form.unit)
    return (name or 0.0) + 0.1 * (unit or 0.0)


def _attach(group: FormGroup, scan: _ScanForm) -> None:
    group.scan_pages += scan.pages
    if group.scan_name is None:
        group.scan_name = scan.name
        group.similarity = similarity(scan.name, group.name)


def pair_forms(materials: list[Material]) -> list[FormGroup]:
    """Distinct application forms, each with its Word file and scanned pages.

    Pure: materials are not changed. Best name matches pair first; a scan
    left over pairs with a still unpaired Word form of the same kind (its
    differing name is then reported by ``check_scan_name``); a scan with no
    Word form of its kind becomes a group of its own.
    """
    groups = [FormGroup(m.form.kind, m.form.title, m) for m in materials if m.form is not None]
    scans = _scan_forms(materials)
    pairs = sorted(
        ((_score(s, g), i, j) for i, s in enumerate(scans) for j, g in enumerate(groups) if s.kind == g.kind),
        reverse=True,
    )
    placed: set[int] = set()
    for threshold, fresh_only in ((MATCH, True), (DUPLICATE, False)):
        for score, i, j in pairs:
            if i in placed or score < threshold or (fresh_only and groups[j].scan_pages):
                continue
            _attach(groups[j], scans[i])
            placed.add(i)
    for i, scan in enumerate(scans):
        if i in placed:
            continue
        twin = next((g for g in groups if g.kind == scan.kind and g.word and not g.scan_pages), None)
        if twin:
            _attach(twin, scan)
        else:
            groups.append(FormGroup(scan.kind, scan.name, None, list(scan.pages), scan.name))
    return groups


def link_pairs(groups: list[FormGroup]) -> None:
    """Record each Word file's scan twins in ``Material.paired_with`` and back."""
    for g in groups:
        scans = list(dict.fromkeys(m.filename for m, _ in g.scan_pages))
        if g.word:
            g.word.paired_with = list(dict.fromkeys(g.word.paired_with + scans))
            for m, _ in g.scan_pages:
                if g.word.filename not in m.paired_with:
                    m.paired_with.append(g.word.filename)


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


def check_word_missing(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """A scanned form needs its editable Word file: the scan cannot be edited or counted."""
    groups = pair_forms(sub.materials)
    _, covered = _unread_words(sub, groups)  # its Word file came but could not be read
    for i, g in enumerate(groups):
        if g.word is None and i not in covered:
            yield Defect(
                code="WORD_MISSING", severity="error", where=g.scan_pages[0][0].filename,
                message=(
                    f"扫描件{_pages(g.scan_pages)}中的{_form_label(g)}没有对应的Word文件。"
                    "请补发该申报表可编辑的Word版（.docx）。"
                ),
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
        if g.word is not None and not g.scan_pages:
            yield Defect(
                code="SCAN_MISSING", severity="error", where=g.word.filename,
                message=(
                    f"《{g.word.filename}》（{_form_label(g)}）没有对应的盖章扫描件。"
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
            code="SCAN_NAME_MISMATCH", severity="warning", where=g.scan_pages[0][0].filename,
            message=(
                f"扫描件{_pages(g.scan_pages)}上识别到的名称为《{g.scan_name}》，"
                f"与Word文件《{g.word.filename}》中的《{g.name}》不一致。"
                "请确认扫描件与Word文件是同一份申报表；如不是，请补发对应的扫描件。"
            ),
        )

