"""Attachments as files: present, readable, and named `单位+材料类别`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath

from parsers.facts import Defect, Material, Submission
from parsers.subject import ORG_SUFFIXES, PLACE_SUFFIXES
from rules.campaign import Campaign

_CATEGORY = re.compile(r"案例|培训|项目|课程|资源|汇总|扫描|盖章|申报表|视频|照片")
_PLACE_OR_ORG = re.compile(rf"[\u4e00-\u9fff]{{1,12}}(?:{PLACE_SUFFIXES}|{ORG_SUFFIXES})")
_PLACE_TOKEN = re.compile(rf"([\u4e00-\u9fff]{{2,6}}?)(?:{PLACE_SUFFIXES})")
_NAMED_KINDS = ("case", "project", "course", "scan", "summary")


def check_no_attachments(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    if not sub.materials:
        yield Defect(
            code="NO_ATTACHMENTS", severity="error", where="附件",
            message="邮件中没有找到附件。请将申报表的 Word 文件和盖章扫描件作为附件添加后重新发送（视频请上传百度网盘并在邮件中附链接和提取码）。",
        )


def check_unreadable(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """A file that could not be opened; and, as a warning, a scan whose pages past the page limit went unread."""
    for m in sub.materials:
        if m.unreadable:
            yield Defect(
                code="ATTACHMENT_UNREADABLE", severity="error", where=m.filename,
                message=f"附件《{m.filename}》无法打开：{m.unreadable}",
            )
        elif m.scan and m.scan.unread_pages:
            total = m.scan.page_count
            yield Defect(
                code="ATTACHMENT_UNREADABLE", severity="warning", where=m.filename,
                message=f"附件《{m.filename}》共 {total} 页，超过系统可审阅的页数，只审阅了前 {total - m.scan.unread_pages} 页。"
                        "如盖章页在后面，请把盖章页单独扫描后发送。",
            )


def check_attachment_names(sub: Submission, campaign: Campaign) -> Iterator[Defect]:
    """Coordinators file by name, so each material should say whose it is and what it is."""
    for m in sub.materials:
        if m.kind not in _NAMED_KINDS or m.pasted:  # a picture pasted into the body has no name of the unit's
            continue
        stem = PurePath(m.filename).stem
        if has_category(stem) and names_unit(stem, sub.subject.unit):
            continue
        yield Defect(
            code="ATTACHMENT_NAME", severity="warning", where=m.filename,
            message=f"附件《{m.filename}》未按“单位名称+材料类别”命名，建议改为如“{_suggest(sub, _named_kind(m))}”的名称，便于登记归档。",
        )


def has_category(stem: str) -> bool:
    return bool(_CATEGORY.search(stem))


def names_unit(stem: str, unit: str | None) -> bool:
    if _PLACE_OR_ORG.search(_CATEGORY.sub(" ", stem)):
        return True
    if not unit:
        return False
    return any(token in stem for token in _PLACE_TOKEN.findall(unit)) or unit[:4] in stem


_LABELS = {"case": "案例", "project": "培训项目", "course": "课程资源", "summary": "信息汇总表",
           "scan": "盖章扫描件", "scan:case": "案例盖章扫描件", "scan:project": "培训项目盖章扫描件",
           "scan:course": "课程资源盖章扫描件"}


def _named_kind(m: Material) -> str:
    """`scan:<form kind>` for a scan whose pages say which form it is."""
    if m.kind == "scan" and m.scan:
        kinds = [p.form_kind for p in m.scan.pages if p.form_kind in ("case", "project", "course")]
        if kinds:
            return f"scan:{kinds[0]}"
    return m.kind


def _suggest(sub: Submission, kind: str) -> str:
    unit = sub.subject.unit or "xx市xx区社区学院"
    return f"{unit}+{_LABELS[kind]}"
