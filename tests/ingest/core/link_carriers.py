"""Share links and codes written the ways people write them, in every carrier a mail has.

A *writing* is how a person types one link and its code (Baidu's share text,
`?pwd=`, the code on the next line or before the link, a Chinese comma right
after the URL…), as lines of text. A *carrier* puts those lines where a unit
puts them: the plain or HTML body, a .txt saved by Notepad in GBK with CRLF
or as "Unicode", a Word document (paragraphs, a hyperlink behind words), a
spreadsheet cell, or the course form itself. A *table carrier* lays several
courses out one row each (course | link | code) in HTML, Word, Excel or CSV.
Every builder returns the mail's body, its HTML part and its attachments.
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

import docx
from openpyxl import Workbook

from ingest.samples.form_docx import add_hyperlink
from ingest.samples.forms import build_course_form

UNIT = "济南市历下区社区学院"
COURSE = "老年人智能手机应用入门"
BODY = "您好！\n附件是我单位报送的智慧助老材料（课程资源1门），请查收。\n\n济南市历下区社区学院\n联系人：李敏 13812345678"
URL_A = "https://pan.baidu.com/s/1AbCdEfGhIjKlMnOpQrStUv"
URL_B = "https://pan.baidu.com/s/1ZyXwVuTsRqPoNmLkJi_-Fe"
CODE_A, CODE_B = "ab12", "k7m9"
TRUNCATED_A = URL_A[:36] + "..."  # what a chat window or a narrow cell leaves of it
CUT_A = URL_A[:-5]  # the last characters not copied

Writing = Callable[[str, str], list[str]]

WRITINGS: dict[str, Writing] = {
    "baidu-share-text": lambda u, c: [f"链接：{u} 提取码：{c} ", "--来自百度网盘超级会员V5的分享"],
    "pwd-in-url": lambda u, c: ["通过百度网盘分享的文件：第1讲.mp4", f"链接：{u}?pwd={c} ", f"提取码：{c} ",
                                "复制这段内容打开「百度网盘APP 即可获取」"],
    "app-share-text": lambda u, c: [f"链接: {u} 提取码: {c} 复制这段内容后打开百度网盘手机App，操作更方便哦"],
    "upper-case-code": lambda u, c: [f"课程视频：{u}  提取码: {c.upper()}"],
    "mima-next-line": lambda u, c: ["课程视频已上传百度网盘", u, f"密码：{c}"],
    "code-before-link": lambda u, c: [f"提取码：{c}", f"链接：{u}"],
    "fullwidth-comma-after-url": lambda u, c: [f"视频链接：{u}，提取码：{c}。"],
    "cjk-right-after-url": lambda u, c: [f"视频：{u}提取码{c}（永久有效）"],
    "fullwidth-question-pwd": lambda u, c: [f"视频链接：{u}？pwd＝{c}"],
}

# Broken writings: the one defect each must get, and nothing else about links.
BROKEN: dict[str, tuple[Writing, str]] = {
    "code-missing": (lambda u, c: [f"链接：{u}", "--来自百度网盘超级会员V5的分享"], "LINK_CODE_MISSING"),
    "link-truncated": (lambda u, c: [f"链接：{TRUNCATED_A} 提取码：{c}"], "LINK_MALFORMED"),
    "link-cut-short": (lambda u, c: [f"链接：{CUT_A}", f"提取码：{c}"], "LINK_MALFORMED"),
}


@dataclass
class Carried:
    """What a mail carries besides the course form and its stamped version."""

    body: str = BODY
    html: str | None = None
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    form_link_text: str | None = None  # typed into the course form's 课程主要内容


# --------------------------------------------------------------------------- one link, as lines


def _html_lines(lines: list[str], tag: str) -> str:
    escaped = [html.escape(line) for line in lines]
    if tag == "br":
        inner = "<br>\r\n".join(escaped)
    else:
        inner = "".join(f"<{tag}>{line}</{tag}>\r\n" for line in escaped)
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>'
            f"<div>您好！课程视频如下：</div>\r\n{inner}<div>济南市历下区社区学院</div></body></html>")


def _docx(paragraphs: list[str], hyperlink: tuple[str, str] | None = None, after: str = "") -> bytes:
    """A plain Word document; `hyperlink` (target, words) goes in a paragraph before `paragraphs`."""
    document = docx.Document()
    document.add_paragraph("课程视频网盘链接")
    if hyperlink:
        paragraph = document.add_paragraph("课程视频：")
        add_hyperlink(paragraph, *hyperlink)
        paragraph.add_run(after)
    for line in paragraphs:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "课程资源"
    for row in rows:
        sheet.append([value if isinstance(value, str) else value[1] for value in row])
        for column, value in enumerate(row, start=1):
            if not isinstance(value, str):  # (target, words): a cell showing words, linked to target
                sheet.cell(sheet.max_row, column).hyperlink = value[0]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_file(lines: list[str], codec: str) -> bytes:
    """As Notepad saves it: CRLF line ends; "Unicode" is UTF-16 LE with a BOM."""
    return ("\r\n".join(lines) + "\r\n").encode(codec)


LINE_CARRIERS: dict[str, Callable[[list[str]], Carried]] = {
    "plain-body": lambda lines: Carried(body="您好！课程视频已上传百度网盘：\n" + "\n".join(lines)),
    "html-body-br": lambda lines: Carried(body="您好！课程视频如下，请查收。", html=_html_lines(lines, "br")),
    "html-body-p": lambda lines: Carried(body="您好！课程视频如下，请查收。", html=_html_lines(lines, "p")),
    "txt-gbk-crlf": lambda lines: Carried(attachments=[("网盘链接.txt", _text_file(lines, "gbk"))]),
    "html-file-gbk": lambda lines: Carried(attachments=[("网盘链接.html", _html_lines(lines, "br").encode("gbk"))]),
    "txt-utf8-bom": lambda lines: Carried(attachments=[("网盘链接.txt", _text_file(lines, "utf-8-sig"))]),
    "txt-utf8": lambda lines: Carried(attachments=[("网盘链接.txt", _text_file(lines, "utf-8"))]),
    "txt-utf16": lambda lines: Carried(attachments=[("网盘链接.txt", _text_file(lines, "utf-16"))]),
    "docx-paragraphs": lambda lines: Carried(attachments=[("课程视频链接.docx", _docx(lines))]),
    "xlsx-cell": lambda lines: Carried(attachments=[("课程视频链接.xlsx", _xlsx([["课程名称", "视频"],
                                                                            [COURSE, "\n".join(lines)]]))]),
    "course-form": lambda lines: Carried(form_link_text="视频资源：" + " ".join(lines)),
}
# A URL hidden behind words (`点击观看课程视频`) in a Word document, its code typed beside or in the link.
HYPERLINKED: dict[str, Callable[[str, str], Carried]] = {
    "code-after-words": lambda u, c: Carried(attachments=[("课程视频链接.docx", _docx([], (u, "点击观看课程视频"), f" 提取码：{c}"))]),
    "code-next-paragraph": lambda u, c: Carried(attachments=[("课程视频链接.docx", _docx([f"提取码：{c}"], (u, "点击观看")))]),
    "pwd-in-target": lambda u, c: Carried(attachments=[("课程视频链接.docx", _docx([], (f"{u}?pwd={c}", "点击观看")))]),
    "excel-cell-link": lambda u, c: Carried(attachments=[("课程视频链接.xlsx", _xlsx([HEADER, [COURSE, (u, "点击观看"), c]]))]),
}
# The link in one carrier, its code in another.
APART: dict[str, Callable[[str, str], Carried]] = {
    "link-in-body-code-in-txt": lambda u, c: Carried(body=f"您好！课程视频链接：{u}\n提取码见附件。",
                                                     attachments=[("提取码.txt", _text_file([f"提取码：{c}"], "gbk"))]),
    "link-in-txt-code-in-body": lambda u, c: Carried(body=f"您好！视频链接见附件，提取码：{c}",
                                                     attachments=[("网盘链接.txt", _text_file([u], "gbk"))]),
    "link-in-sheet-code-in-body": lambda u, c: Carried(body=f"您好！视频链接见附件表格，提取码：{c}",
                                                       attachments=[("课程视频链接.xlsx", _xlsx([HEADER[:2], [COURSE, u]]))]),
}


# --------------------------------------------------------------------------- several courses, one row each

HEADER = ["课程名称", "网盘链接", "提取码"]


def table_rows(code_a: str | None = CODE_A, labelled: bool = False) -> list[list[str]]:
    """Two courses, one row each; `code_a=None` leaves the first course's code cell empty."""
    def code(value: str | None) -> str:
        return "" if value is None else (f"提取码：{value}" if labelled else value)

    return [HEADER, [COURSE, URL_A, code(code_a)], ["微信视频通话与防诈骗", URL_B, code(CODE_B)]]


def _html_table(rows: list[list[str]], cell: str = "<td><p class=MsoNormal>{}</p></td>\r\n") -> str:
    """Outlook and Word write a <p> in every cell; webmail editors write the bare <td>."""
    cells = "".join("<tr>" + "".join(cell.format(html.escape(value)) for value in row) + "</tr>" for row in rows)
    return (f"<html><body><div>您好！我单位两门课程的视频链接如下：</div>\r\n<table border=1 cellpadding=0>"
            f"\r\n{cells}</table><div><br></div><div>济南市历下区社区学院</div></body></html>")


def _html_key_value(rows: list[list[str]]) -> str:
    """The same courses in a two-column table: 课程名称 / 网盘链接 / 提取码 one under another."""
    pairs = [[label, value] for row in rows[1:] for label, value in zip(HEADER, row)]
    return _html_table(pairs)


def _docx_table(rows: list[list[str]]) -> bytes:
    document = docx.Document()
    document.add_paragraph("智慧助老课程视频网盘链接")  # a list, no 一览表 in its title to give it away
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _csv_gbk(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("gbk")


TABLE_CARRIERS: dict[str, Callable[[list[list[str]]], Carried]] = {
    "html-table": lambda rows: Carried(body="您好！我单位两门课程的视频链接见下表。", html=_html_table(rows)),
    "html-table-bare-cells": lambda rows: Carried(body="您好！视频链接见下表。", html=_html_table(rows, "<td>{}</td>")),
    "html-key-value-table": lambda rows: Carried(body="您好！视频链接见下表。", html=_html_key_value(rows)),
    "docx-table": lambda rows: Carried(attachments=[("课程视频链接.docx", _docx_table(rows))]),
    "xlsx-sheet": lambda rows: Carried(attachments=[("课程视频链接.xlsx", _xlsx(rows))]),
    "csv-gbk": lambda rows: Carried(attachments=[("课程视频链接.csv", _csv_gbk(rows))]),
}


@lru_cache(maxsize=None)
def course_form(link_text: str | None) -> bytes:
    """The course form (video ticked), with `link_text` typed into 课程主要内容."""
    return build_course_form(name=COURSE, unit=UNIT, link_text=link_text)
