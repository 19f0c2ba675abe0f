"""The collection is materials, not mails: which earlier material a new one replaces.

A unit sends its case today and its course tomorrow; it resends one
corrected form; or it says "以此为准" and resends everything. Each material
is known by its kind and title (the file stem when the form has none), and
a scan paired with its Word form is the same material: a newer version of
it replaces the older one in the unit's collection, and a mail that says it
replaces everything replaces the whole set. Nothing is deleted: the storage
keeps every version with the reason it was superseded.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from parsers.facts import Material, Submission
from rules.pairing import comparable, link_pairs, pair_forms

# Words with which a unit says "this mail replaces what we sent before".
REPLACE_ALL = re.compile(r"更正|重新报送|重新上报|重新发送|重新提交|以此为准|以本邮件为准|全部重发|替换此前|作废")
# Where the quoted earlier mail begins in a reply (Foxmail, QQ, NetEase, Outlook, Gmail).
_QUOTE_START = re.compile(r"^\s*(?:-{2,}\s*原始邮件\s*-{2,}|-{2,}\s*Original Message\s*-{2,}|发件人[:：]|From:|>|"
                          r"在\s.{0,80}写道[:：]|On\s.{0,120}wrote:)", re.IGNORECASE | re.MULTILINE)


def material_key(material: Material, sub: Submission) -> str:
    """What makes two materials of one unit and batch versions of the same thing."""
    if material.form:
        return f"{material.kind}:{comparable(material.form.title or PurePath(material.filename).stem)}"
    if material.kind == "scan":
        twin = next((m for m in sub.forms() if m.filename in material.paired_with), None)
        if twin is not None:
            return material_key(twin, sub)
        page = next((p for p in (material.scan.pages if material.scan else []) if p.name), None)
        if page is not None:
            return f"{page.form_kind or 'scan'}:{comparable(page.name)}"
    return f"{material.kind}:{comparable(PurePath(material.filename).stem)}"


def own_text(body: str) -> str:
    """The body without the quoted earlier mail (our own notice says "重新发送" too)."""
    found = _QUOTE_START.search(body or "")
    return body[:found.start()] if found else (body or "")


def replaces_everything(sub: Submission, answers_our_notice: bool) -> bool:
    """Whether this mail replaces the unit's whole earlier set in its batch.

    Said in words (`更正`, `以此为准`, …) in the subject or body, or meant by
    answering our defect notice, which asked for everything to be resent,
    with a full set (as many forms as the subject declares).
    """
    if REPLACE_ALL.search(f"{sub.message.subject}\n{own_text(sub.message.text)}"):
        return True
    declared = sub.subject.declared_count
    return answers_our_notice and bool(sub.forms()) and (declared is None or len(sub.forms()) >= declared)


def place_in_collection(sub: Submission, answers_our_notice: bool) -> None:
    """Pair scans with their Word forms, give every material its collection key,
    and say whether the mail replaces the whole set."""
    link_pairs(pair_forms(sub.materials))
    for material in sub.materials:
        material.key = material_key(material, sub)
    sub.replaces_all = replaces_everything(sub, answers_our_notice)
