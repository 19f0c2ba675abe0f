"""Office files are zips of XML from strangers: entity bombs and external entities are never expanded."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest

from ingest.core.classify import read_material
from ingest.samples.forms import build_case_form
from parsers.facts import Attachment

BOMB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
        + ']>\n')
EXTERNAL = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n')


def _replace_part(data: bytes, part: str, edit) -> bytes:
    """The same zip with one XML part rewritten by `edit`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, edit(content.decode("utf-8")).encode("utf-8") if info.filename == part else content)
    return out.getvalue()


def _with_doctype(xml: str, doctype: str, reference: str, anchor: str) -> str:
    body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
    return doctype + body.replace(anchor, anchor + reference, 1)


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["序号", "单位名称", "材料名称"])
    book.active.append([1, "杭州市西湖区社区学院", "“银龄触网”智能手机应用进社区"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("doctype,reference", [(BOMB, "&lol9;"), (EXTERNAL, "&secret;")])
def test_a_word_form_with_a_hostile_doctype_is_read_without_expanding_it(doctype, reference):
    data = _replace_part(build_case_form(), "word/document.xml",
                         lambda xml: _with_doctype(xml, doctype, reference, "<w:t>"))
    assert b"<!DOCTYPE" in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    started = time.perf_counter()
    material = read_material(Attachment("西湖区+案例.docx", "application/octet-stream", data))
    assert time.perf_counter() - started < 20
    assert "lollollol" not in (material.text or "") and "root:" not in (material.text or "")


@pytest.mark.parametrize("doctype,reference", [(BOMB, "&lol9;"), (EXTERNAL, "&secret;")])
def test_a_workbook_with_a_hostile_doctype_is_never_expanded(doctype, reference):
    data = _replace_part(_workbook(), "xl/worksheets/sheet1.xml",
                         lambda xml: _with_doctype(xml, doctype, reference, "<t>"))
    assert b"<!DOCTYPE" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    started = time.perf_counter()
    material = read_material(Attachment("信息汇总表.xlsx", "application/octet-stream", data))
    assert time.perf_counter() - started < 20
    assert material.kind == "summary" or material.unreadable  # read without the entity, or refused in words
    assert "lollollol" not in (material.text or "") and "root:" not in (material.text or "")
