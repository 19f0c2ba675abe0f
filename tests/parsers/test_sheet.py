"""Spreadsheets as units send them: .xlsx, .xls and WPS .et by real LibreOffice, .csv in every Chinese encoding."""

from __future__ import annotations

import codecs
import io

import openpyxl
import pytest

from ingest.core.classify import read_material
from ingest.samples.forms import encrypt_docx
from tests.support.office import have_libreoffice, office_save
from parsers.facts import Attachment, UnreadableFile
from parsers.sheet import sheet_text

ROWS = [
    ("序号", "申报单位", "材料类别", "名称", "联系人", "联系电话"),
    (1, "杭州市西湖区社区学院", "典型工作案例", "“银龄触网”智能手机应用进社区", "李晓梅", "13812345678"),
    (2, "宁波市鄞州区社区学院", "课程资源", "老年人智能手机应用入门", "王建国", "0574-88123456"),
]
LINES = ["\t".join(str(v) for v in row) for row in ROWS]
NEEDS_LIBREOFFICE = pytest.mark.skipif(not have_libreoffice(), reason="LibreOffice (libreoffice-calc-nogui) needed")


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "信息汇总表"
    for row in ROWS:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv(encoding: str, bom: bytes = b"") -> bytes:
    text = "\r\n".join(",".join(str(v) for v in row) for row in ROWS) + "\r\n"
    return bom + text.encode(encoding)


@pytest.fixture(scope="module")
def old_books():
    """The workbook saved by LibreOffice Calc as Excel 97 (.xls) and the same bytes named .et (WPS 表格)."""
    return {**office_save({"汇总表.xlsx": _xlsx()}, "xls"), **office_save({"汇总表.xlsx": _xlsx()}, "et")}


def test_xlsx_cells_are_read_row_by_row():
    assert sheet_text(_xlsx(), "信息汇总表.xlsx").split("\n") == LINES


@NEEDS_LIBREOFFICE
@pytest.mark.parametrize("name", ["汇总表.xls", "汇总表.et"])
def test_excel_97_and_wps_et_workbooks_are_read_like_the_xlsx(old_books, name):
    data = old_books[name]
    assert data.startswith(bytes.fromhex("d0cf11e0a1b11ae1"))
    assert sheet_text(data, name).split("\n") == LINES


@pytest.mark.parametrize("data", [
    _csv("gbk"), _csv("gb18030"), _csv("utf-8"), _csv("utf-8", codecs.BOM_UTF8), _csv("utf-16-le", codecs.BOM_UTF16_LE),
], ids=["gbk", "gb18030", "utf8", "utf8-bom", "utf16-bom"])
def test_csv_in_any_chinese_encoding_is_decoded(data):
    assert sheet_text(data, "信息汇总表.csv").split("\n") == LINES


def test_gb18030_only_characters_survive_in_csv():
    data = "单位,备注\n杭州市西湖区社区学院,䶮字辈老人培训\n".encode("gb18030")  # 䶮 is outside GBK
    assert "䶮字辈老人培训" in sheet_text(data, "汇总.csv")


def test_password_protected_xlsx_is_unreadable_and_named():
    with pytest.raises(UnreadableFile, match=r"《信息汇总表\.xlsx》设置了打开密码"):
        sheet_text(encrypt_docx(_xlsx()), "信息汇总表.xlsx")


def test_a_damaged_xlsx_is_unreadable_and_named():
    with pytest.raises(UnreadableFile, match=r"《信息汇总表\.xlsx》已损坏"):
        sheet_text(_xlsx()[:300], "信息汇总表.xlsx")


@NEEDS_LIBREOFFICE
def test_an_html_table_saved_as_xls_is_read_through_calc():
    html = "<html><head><meta charset='utf-8'></head><body><table>" + "".join(
        "<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in ROWS) + "</table></body></html>"
    assert sheet_text(html.encode(), "导出.xls").split("\n") == LINES


@NEEDS_LIBREOFFICE
def test_an_xls_attachment_is_read_not_only_named(old_books):
    material = read_material(Attachment("西湖区信息汇总表.xls", "application/vnd.ms-excel", old_books["汇总表.xls"]))
    assert material.unreadable is None and material.kind == "summary"
    assert "老年人智能手机应用入门" in material.text  # its cells reach the link finder and the coordinator


def test_a_broken_xls_attachment_is_unreadable_with_its_name():
    material = read_material(Attachment("汇总表.xls", "application/vnd.ms-excel", bytes.fromhex("d0cf11e0a1b11ae1")
                                        + bytes(1000)))
    assert material.unreadable and "《汇总表.xls》" in material.unreadable


@NEEDS_LIBREOFFICE
def test_a_password_protected_xls_is_unreadable_and_named(old_books):
    from tests.support.office import office_encrypt

    locked = office_encrypt(old_books["汇总表.xls"], ".xls", "MS Excel 97")
    with pytest.raises(UnreadableFile, match=r"《信息汇总表\.xls》设置了打开密码"):
        sheet_text(locked, "信息汇总表.xls")
