"""Spreadsheets (信息汇总表 and the like) to plain text, for classification and links."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl

from parsers.facts import UnreadableFile
from parsers.text import decode_bytes

MAX_CELLS = 200_000


def sheet_text(data: bytes, filename: str) -> str:
    """Every non-empty cell, a row per line, cells separated by tabs."""
    if filename.lower().endswith(".csv"):
        rows = csv.reader(io.StringIO(decode_bytes(data)))
        return "\n".join("\t".join(c for c in row if c) for row in rows)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile("表格文件已损坏或已加密，无法打开，请另存为 .xlsx 后重新发送。") from exc
    lines, cells = [], 0
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                values = [str(v).strip() for v in row if v is not None and str(v).strip()]
                cells += len(values)
                if values:
                    lines.append("\t".join(values))
                if cells > MAX_CELLS:
                    return "\n".join(lines)
    finally:
        book.close()
    return "\n".join(lines)
