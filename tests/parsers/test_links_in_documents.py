"""Links in documents: behind words in Word, in a form, in a spreadsheet's columns, in OCR text, merged across carriers."""

from __future__ import annotations

import io

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from ingest.samples.form_docx import add_hyperlink
from ingest.samples.forms import build_course_form
from parsers.links import find_links, find_links_in_document, merge_links
from tests.parsers.test_links import ID_A, URL_A, URL_B, URL_C, pairs


def _docx_with_hidden_hyperlink(url: str, words: str, after: str) -> bytes:
    document = docx.Document()
    document.add_paragraph("典型课程资源申报表")
    p = document.add_paragraph("课程资源链接：")
    add_hyperlink(p, url, words)
    p.add_run(after)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _read_docx(data: bytes) -> tuple[str, list[str]]:
    """Text and hyperlink targets, the way a Word reader gets them from python-docx."""
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    for table in document.tables:
        text += "\n" + "\n".join(cell.text for row in table.rows for cell in row.cells)
    targets = [r.target_ref for r in document.part.rels.values() if r.reltype == RT.HYPERLINK]
    return text, targets


def test_docx_hyperlink_behind_words_gets_the_code_typed_after_it():
    data = _docx_with_hidden_hyperlink(URL_A, "点击查看课程视频", "（提取码：w8e7）")
    text, targets = _read_docx(data)
    assert URL_A not in text and targets == [URL_A]
    [link] = find_links_in_document(text, targets, "附件4-课程资源申报表.docx")
    assert (link.url, link.code, link.found_in) == (URL_A, "w8e7", "附件4-课程资源申报表.docx")


def test_course_form_hyperlink_is_found_once_with_its_code():
    data = build_course_form(hyperlink=f"{URL_B}?pwd=k2k2")
    text, targets = _read_docx(data)
    assert targets == [f"{URL_B}?pwd=k2k2"]
    links = find_links_in_document(text, targets, "课程.docx")
    assert [(lk.url, lk.code) for lk in links] == [(URL_B, "k2k2")]


def test_spreadsheet_code_column_pairs_with_the_link_in_its_row():
    sheet = (
        "序号\t课程名称\t视频链接\t提取码\n"
        f"1\t智能手机入门\t{URL_A}\tab12\n"
        f"2\t防范电信诈骗\t{URL_B}\tcd34\n"
        f"3\t微信视频通话\t{URL_C}"
    )
    assert [(lk.url, lk.code) for lk in find_links(sheet, "课程清单.xlsx")] == [
        (URL_A, "ab12"), (URL_B, "cd34"), (URL_C, None)
    ]


def test_spreadsheet_without_a_code_column_gives_links_only():
    sheet = f"课程名称\t视频链接\t时长\n智能手机入门\t{URL_A}\t45\n防范电信诈骗\t{URL_B}\t30"
    assert [(lk.url, lk.code) for lk in find_links(sheet, "课程清单.xlsx")] == [(URL_A, None), (URL_B, None)]


def test_ocr_text_with_full_width_colon_and_spaces():
    ocr = f"课程资源链接 ： https：//pan.baidu.com/s/{ID_A}\n提取码 ： a1b2\n（盖章）"
    assert pairs(ocr) == [(URL_A, "a1b2")]


def test_merge_keeps_first_place_and_a_code_found_anywhere():
    body = find_links(f"视频：{URL_A}", "正文")
    form = find_links(f"课程资源链接：https://pan.baidu.com/share/init?surl={ID_A[1:]} 提取码：z9z9", "课程.docx")
    [link] = merge_links(body + form)
    assert (link.url, link.code, link.found_in) == (URL_A, "z9z9", "正文")
