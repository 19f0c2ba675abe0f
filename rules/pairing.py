"""Which pages are which application form: Word files, stamped scans and PDFs saved from Word.

``pair_forms`` matches scanned form pages to Word forms by kind and name
(the unit breaks ties), whatever the packaging: one PDF holding every form,
one file per form, or one JPG per page. A page without a title (``form_kind``
None) continues the form read just before it, even from the previous file, so
page 2 of a long form joins page 1 — unless it carries a form's name
(案例名称 …): then it is a form whose title OCR could not read, paired by
that name with a Word form of any kind, and dropped if none has it.

A PDF saved from the Word form — text drawn from text, no seal — is not a
scan of the signed and stamped paper: it stands in for the Word file (in a
group's ``exports``), pairs like a scan, and is never asked for a seal. One
form sent twice (its export and its scan, or one scan as PDF and as JPG) is
one group, so a single mistake is told once.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field

from parsers.facts import FORM_KINDS, Material, ScanPage
from parsers.seal import UNCERTAIN

MATCH = 0.6  # name similarity from which a scan is the Word form's twin
DUPLICATE = 0.8  # a second scan of an already paired form must match this well

Pages = list[tuple[Material, int]]


@dataclass
class FormGroup:
    """One application form as sent: its Word file, its scanned pages, its PDFs saved from Word."""

    kind: str
    name: str | None
    word: Material | None
    scan_pages: Pages = field(default_factory=list)
    scan_name: str | None = None  # the name read on the scan (or the export)
    similarity: float | None = None  # of scan_name to the Word title, when both are known
    exports: Pages = field(default_factory=list)  # unsealed pages saved from Word: a stand-in for it, not a scan


@dataclass
class _ScanForm:
    """A form as found in the scans: a titled page and the untitled pages after it."""

    kind: str | None  # None: the title was not read, only the name
    name: str | None
    unit: str | None
    pages: Pages
    read: list[ScanPage]

    @property
    def export(self) -> bool:
        """Every page drawn from text with no trace of a seal: the Word form saved as PDF."""
        return all(p.exported and not p.seal.found and p.seal.confidence < UNCERTAIN for p in self.read)


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
            if page.form_kind in FORM_KINDS or (page.form_kind is None and page.name):
                current = _ScanForm(page.form_kind, page.name, page.unit, [(m, page.index)], [page])
                forms.append(current)
            elif page.form_kind is None and current is not None:
                current.pages.append((m, page.index))
                current.read.append(page)
            else:
                current = None
    return forms


def _score(scan: _ScanForm, group: FormGroup) -> float:
    name = similarity(scan.name, group.word.form.title)
    unit = similarity(scan.unit, group.word.form.unit)
    return (name or 0.0) + 0.1 * (unit or 0.0)


def _holds(group: FormGroup, scan: _ScanForm) -> Pages:
    """The group's pages of the scan's sort: its exports for an export, its scanned pages for a scan."""
    return group.exports if scan.export else group.scan_pages


def _attach(group: FormGroup, scan: _ScanForm) -> None:
    _holds(group, scan).extend(scan.pages)
    if group.scan_name is None:
        group.scan_name = scan.name
        group.similarity = similarity(scan.name, group.name)


def _pair_with_words(scans: list[_ScanForm], groups: list[FormGroup]) -> set[int]:
    """Best name matches first; a second scan of a paired form only when its name matches well."""
    pairs = sorted(
        ((_score(s, g), i, j) for i, s in enumerate(scans) for j, g in enumerate(groups) if s.kind in (g.kind, None)),
        reverse=True,
    )
    placed: set[int] = set()
    for threshold, fresh_only in ((MATCH, True), (DUPLICATE, False)):
        for score, i, j in pairs:
            if i in placed or score < threshold or (fresh_only and _holds(groups[j], scans[i])):
                continue
            _attach(groups[j], scans[i])
            placed.add(i)
    return placed


def _misread_kind(scan: _ScanForm, groups: list[FormGroup]) -> FormGroup | None:
    """A Word form of another kind, still without pages of the scan's sort, whose name the scan shows closely.

    The title line is small print at the top of a photographed page; when
    OCR takes 培训项目 for 案例, the name (in larger, boxed print) still
    says which form this is. Only a close name match counts, so a unit's
    real case and course of one theme are not merged.
    """
    scored = [(similarity(scan.name, g.name) or 0.0, n) for n, g in enumerate(groups)
              if g.word is not None and g.kind != scan.kind and not _holds(g, scan)]
    best = max(scored, default=None)
    return groups[best[1]] if best and best[0] >= DUPLICATE else None


def _same_form(scan: _ScanForm, groups: list[FormGroup]) -> FormGroup | None:
    """A Word-less group this scan is another copy of: same kind, a name that matches well."""
    scored = [(similarity(scan.name, g.name) or 0.0, n) for n, g in enumerate(groups)
              if g.word is None and g.kind == scan.kind]
    best = max(scored, default=None)
    return groups[best[1]] if best and best[0] >= DUPLICATE else None


def pair_forms(materials: list[Material]) -> list[FormGroup]:
    """Distinct application forms, each with its Word file, scanned pages and exports.

    Pure: materials are not changed. Best name matches pair first; a scan
    left over pairs with a still unpaired Word form of the same kind (its
    differing name is then reported by ``check_scan_name``), else with an
    unpaired Word form of another kind whose name it shows closely (its
    title misread); a scan with no Word form joins the Word-less group of
    the same form, or becomes a group of its own.
    """
    groups = [FormGroup(m.form.kind, m.form.title, m) for m in materials if m.form is not None]
    scans = _scan_forms(materials)
    placed = _pair_with_words(scans, groups)
    for i, scan in enumerate(scans):
        if i in placed or scan.kind is None:  # no title and no Word form of its name: not known to be a form
            continue
        twin = next((g for g in groups if g.kind == scan.kind and g.word and not _holds(g, scan)), None)
        twin = twin or _misread_kind(scan, groups) or _same_form(scan, groups)
        if twin:
            _attach(twin, scan)
        else:
            group = FormGroup(scan.kind, scan.name, None)
            _attach(group, scan)
            groups.append(group)
    return groups


def link_pairs(groups: list[FormGroup]) -> None:
    """Record each Word file's scan twins (and exports) in ``Material.paired_with`` and back."""
    for g in groups:
        pages = g.scan_pages + g.exports
        scans = list(dict.fromkeys(m.filename for m, _ in pages))
        if g.word:
            g.word.paired_with = list(dict.fromkeys(g.word.paired_with + scans))
            for m, _ in pages:
                if g.word.filename not in m.paired_with:
                    m.paired_with.append(g.word.filename)
