"""Spreadsheets (信息汇总表 and the like) to plain text, for classification and links.

Units send .xlsx from Excel or WPS, old .xls, WPS 表格's own .et (an Excel 97
workbook inside, so xlrd reads it; LibreOffice converts what xlrd cannot), and
.csv exported in GBK, GB18030 or UTF-8 with or without a BOM. The bytes decide
the reader, the name only breaks ties; a password-protected workbook is named
in the reason the submitter gets.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Iterable, Iterator

import olefile
import openpyxl
import xlrd
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree

from parsers.doc_convert import OLE_MAGIC, ZIP_MAGIC, is_encrypted, libreoffice
from parsers.facts import UnreadableFile
from parsers.text import decode_text_file

MAX_CELLS = 200_000
MAX_RELS_BYTES = 2 * 1024 * 1024
_SHEET_RELS = re.compile(r"xl/worksheets/_rels/[^/]+\.rels")
XLSX_FILTER = "Calc MS Excel 2007 XML"
BOOK_EXTENSIONS = (".xls", ".xlsx", ".xlsm", ".et", ".ett")


def sheet_text(data: bytes, filename: str) -> str:
    """Every non-empty cell, a row per line, cells separated by tabs."""
    if data.startswith(OLE_MAGIC):
        if is_encrypted(data):
            raise _unreadable(filename, "设置了打开密码，系统无法读取。请取消密码后另存为 .xlsx 格式重新发送。")
        return _join(_xls_rows(data, filename))
    if data.startswith(ZIP_MAGIC):
        return _join(_xlsx_rows(data, filename))
    if Path(filename).suffix.lower() in BOOK_EXTENSIONS:
        if data.lstrip()[:1] == b"<":  # an HTML or XML table saved as .xls, as many web systems export
            return _join(_xlsx_rows(calc_to_xlsx(data, filename), filename))
        if b"\x00" in data[:512]:
            raise _unreadable(filename, "已损坏，系统无法打开。请确认文件能正常打开，另存为 .xlsx 格式后重新发送。")
    return _join(csv.reader(io.StringIO(_csv_text(data))))


def sheet_hyperlinks(data: bytes) -> list[str]:
    """External hyperlink targets of an .xlsx/.xlsm workbook's sheets, in sheet order.

    A cell that shows `点击观看` hides its link in the sheet's relationships,
    where the cell text never shows it. Hostile XML is read by defusedxml and
    each relationships part only up to MAX_RELS_BYTES.
    """
    if not data.startswith(ZIP_MAGIC):
        return []
    found: list[str] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            for info in book.infolist():
                if not _SHEET_RELS.fullmatch(info.filename) or info.file_size > MAX_RELS_BYTES:
                    continue
                with book.open(info) as part:
                    root = SafeTree.fromstring(part.read(MAX_RELS_BYTES))
                found += [rel.get("Target", "") for rel in root
                          if rel.get("TargetMode") == "External" and rel.get("Type", "").endswith("/hyperlink")]
    except (zipfile.BadZipFile, OSError, ValueError, SafeTree.ParseError, DefusedXmlException):
        return found
    return list(dict.fromkeys(found))


def _csv_text(data: bytes) -> str:
    """GBK/GB18030/UTF-8 (BOM or not), UTF-16 (Excel's "Unicode text"), read as any text file is."""
    return decode_text_file(data)


def _xlsx_rows(data: bytes, filename: str) -> Iterator[Iterable]:
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _unreadable(filename, "已损坏，系统无法打开。请确认文件能正常打开，另存为 .xlsx 格式后重新发送。") from exc
    try:
        for sheet in book.worksheets:
            yield from sheet.iter_rows(values_only=True)
    finally:
        book.close()


def _xls_rows(data: bytes, filename: str) -> Iterator[Iterable]:
    """Excel 97-2003 and WPS .et by xlrd; what xlrd cannot parse goes through LibreOffice Calc."""
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception:  # noqa: BLE001 - xlrd raises XLRDError, struct and index errors on odd BIFF
        if not _has_workbook(data):
            raise _unreadable(filename, "已损坏，系统无法打开。请确认文件能正常打开，另存为 .xlsx 格式后重新发送。")
        yield from _xlsx_rows(calc_to_xlsx(data, filename), filename)
        return
    try:
        for sheet in book.sheets():
            for r in range(sheet.nrows):
                yield sheet.row_values(r)
    finally:
        book.release_resources()


def _has_workbook(data: bytes) -> bool:
    """An intact OLE container with a workbook stream (Excel's or WPS's), whatever xlrd thought of it."""
    try:
        streams = {"/".join(s).lower() for s in olefile.OleFileIO(io.BytesIO(data)).listdir()}
    except Exception:  # noqa: BLE001 - olefile raises many kinds on a damaged container
        return False
    return bool(streams & {"workbook", "book"})


def calc_to_xlsx(data: bytes, filename: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="intake-sheet-") as tmp:
        source, target = Path(tmp, "book.xls"), Path(tmp, "book.xlsx")
        source.write_bytes(data)
        if not libreoffice(source, target, XLSX_FILTER, filename, "xlsx"):
            raise _unreadable(filename, "已损坏或不是表格文件，系统无法打开。请另存为 .xlsx 格式后重新发送。")
        return target.read_bytes()


def _join(rows: Iterable[Iterable]) -> str:
    lines, cells = [], 0
    for row in rows:
        values = [_cell(v) for v in row]
        values = [v for v in values if v]
        cells += len(values)
        if values:
            lines.append("\t".join(values))
        if cells > MAX_CELLS:
            break
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # xlrd gives every number as a float: 2022.0 is 2022
    return str(value).strip()


def _unreadable(filename: str, why: str) -> UnreadableFile:
    return UnreadableFile(f"表格附件《{filename}》{why}")
