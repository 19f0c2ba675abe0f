"""Classify each attachment by what it holds first, by its name second.

A Word file is an application form when its title or labels say so, whatever
it is called; a PDF or picture is a stamped scan when its pages are forms or
its name says 盖章/扫描. The readers live in `parsers/`; this module only
decides which reader to use and what the result makes the file.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePath

from parsers.archive_base import ARCHIVE_EXTENSIONS
from parsers.facts import FORM_KINDS, Attachment, Material, UnreadableFile
from parsers.scan import SCAN_EXTENSIONS, read_scan
from parsers.sheet import sheet_hyperlinks, sheet_text
from parsers.sniff import content_extension
from parsers.html_text import html_text
from parsers.text import decode_text_file
from parsers.word import read_word
from storage.files import sha256_hex

WORD_EXTENSIONS = {".docx", ".docm", ".doc", ".wps", ".dotx", ".rtf", ".odt", ".wpt", ".dot"}
SHEET_EXTENSIONS = {".xlsx", ".xlsm", ".csv"}
OLD_SHEET_EXTENSIONS = {".xls", ".et"}
VIDEO_EXTENSIONS = {".mp4", ".avi", ".mov", ".wmv", ".flv", ".mkv", ".mpg", ".mpeg", ".m4v", ".3gp", ".rmvb", ".ts"}
PHOTO_EXTENSIONS = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".heic", ".heif", ".webp", ".gif"}
TEXT_EXTENSIONS = {".txt", ".html", ".htm"}

# Formats a unit sends its stamped form in, whatever the name: a broken one may well be the scan.
_STAMPED_FORMATS = {".pdf", ".ofd", ".heic", ".heif"}
_SCAN_NAME = re.compile(r"盖章|扫描|签章|公章|scan", re.IGNORECASE)
_SUMMARY_NAME = re.compile(r"汇总|一览表|统计表|清单")
_KIND_NAME = (("case", re.compile(r"案例")), ("project", re.compile(r"培训|项目")), ("course", re.compile(r"课程|资源")))


def kind_from_name(filename: str) -> str | None:
    """The form kind a file name claims (`西湖区+案例.docx` → case), if any."""
    stem = PurePath(filename).stem
    for kind, pattern in _KIND_NAME:
        if pattern.search(stem):
            return kind
    return None


def read_material(att: Attachment, cache_dir: Path | None = None) -> Material:
    """Read one attachment into a classified `Material`; never raises on bad files."""
    material = Material(kind="other", filename=att.filename, sha256=sha256_hex(att.data), size=len(att.data))
    ext = content_extension(att.data, att.filename)  # the content decides; the name is only a hint
    if att.problem:
        material.unreadable = att.problem
        return material
    try:
        _read_by_extension(material, att, ext, cache_dir)
    except UnreadableFile as exc:
        material.unreadable = str(exc)
        material.kind = _kind_when_unreadable(att.filename, ext)
    if att.origin == "body":
        material.pasted = True
        if material.kind not in ("scan", "summary"):
            material.kind, material.unreadable = "other", None  # a pasted picture: a scan or nothing to complain of
    return material


def _read_by_extension(material: Material, att: Attachment, ext: str, cache_dir: Path | None) -> None:
    if ext in WORD_EXTENSIONS:
        _read_word(material, att)
    elif ext in SHEET_EXTENSIONS or ext in OLD_SHEET_EXTENSIONS:
        material.text = sheet_text(att.data, att.filename)
        material.hyperlinks = sheet_hyperlinks(att.data)
        material.kind = "summary" if _is_summary(att.filename, material.text) else "other"
    elif ext in SCAN_EXTENSIONS:
        _read_scan(material, att, ext, cache_dir)
    elif ext in VIDEO_EXTENSIONS or att.content_type.startswith("video/"):
        material.kind = "video"
    elif ext in PHOTO_EXTENSIONS or att.content_type.startswith("image/"):
        material.kind = "photo"
    elif ext in ARCHIVE_EXTENSIONS:
        raise UnreadableFile("压缩包无法解压，请重新压缩后发送，或直接发送附件。")  # opened in parsers.containers
    elif ext in TEXT_EXTENSIONS or att.content_type.startswith("text/"):
        material.text = _plain_text(att.data, ext, att.content_type)


def _plain_text(data: bytes, ext: str, content_type: str) -> str:
    """A text file in whatever encoding Notepad or WPS saved it; an HTML file as the text it shows."""
    text = decode_text_file(data)
    return html_text(text) if ext in (".html", ".htm") or content_type == "text/html" else text


def _read_word(material: Material, att: Attachment) -> None:
    document = read_word(att.data, att.filename)
    material.text = document.text
    material.hyperlinks = list(document.hyperlinks)
    if document.form is not None:
        material.form = document.form
        material.kind = document.form.kind
    elif document.is_summary or _is_summary(att.filename, document.heading):
        material.kind = "summary"


def _read_scan(material: Material, att: Attachment, ext: str, cache_dir: Path | None) -> None:
    reading = read_scan(att.filename, att.data, cache_dir=cache_dir)
    if reading.error and not reading.pages:
        raise UnreadableFile(reading.error)
    material.scan = reading
    material.unreadable = reading.error  # a page that failed; the pages read still count
    material.text = "\n".join(p.text for p in reading.pages)
    kinds = {p.form_kind for p in reading.pages}
    if kinds & set(FORM_KINDS) or _SCAN_NAME.search(att.filename):
        material.kind = "scan"
    elif kinds and kinds <= {"summary"} or _SUMMARY_NAME.search(att.filename):
        material.kind = "summary"
    elif ext in PHOTO_EXTENSIONS:
        material.kind = "photo"


def _kind_when_unreadable(filename: str, ext: str) -> str:
    """Count an unreadable file as what its name says, so the count check still sees it."""
    if ext in WORD_EXTENSIONS:
        return kind_from_name(filename) or "other"
    if ext in SCAN_EXTENSIONS and (_SCAN_NAME.search(filename) or ext in _STAMPED_FORMATS):
        return "scan"
    return "other"


def _is_summary(filename: str, text: str) -> bool:
    return bool(_SUMMARY_NAME.search(filename) or _SUMMARY_NAME.search(text[:200]))
