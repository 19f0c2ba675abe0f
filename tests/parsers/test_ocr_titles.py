"""A page is a form when the form's title heads it, not when a letter names the form (issue 21)."""

from __future__ import annotations

import pytest

from ingest.samples.paper import scanned, to_pdf
from ingest.samples.scans import render_cover_letter
from parsers.ocr_titles import classify_title
from parsers.scan import read_scan

UNIT = "杭州市西湖区老年大学"
NAME = "银龄数字课堂：社区老年人智能手机应用培训"


@pytest.mark.parametrize("lines, kind", [
    (["附件2：典型工作案例申报表"], "case"),
    (["2021年全国“智慧助老”优质工作案例申报表"], "case"),
    (["“智慧助老”典型教育培训项目申报表"], "project"),
    (["典型课程资源申报表（样表）"], "course"),
    (["附件2", "典型工作案例申报表，"], "case"),  # a speck at the line's end read as a comma
    (["附件5", "智慧助老优质工作案例、教育培训项目及课程资源信息汇总表"], "summary"),
])
def test_a_title_heading_the_page_is_the_form_whatever_comes_before_it(lines, kind):
    assert classify_title(lines) == kind


@pytest.mark.parametrize("line", [
    "现将《银龄数字课堂》典型工作案例申报表报送给你们，请予审核。",
    "能手机应用培训》典型工作案例申报表报送给你们，请予审核",  # a sentence wrapped across lines
    "典型工作案例申报表报送给你们",
    "根据通知要求，典型工作案例申报表",
    "关于报送典型工作案例申报表的函",
    "附件：典型工作案例申报表",
    "附件：1.《银龄数字课堂》典型工作案例申报表",
    "2.典型课程资源申报表",
    "附件：2.信息汇总表",
])
def test_a_line_naming_a_form_in_a_sentence_or_a_list_of_attachments_is_not_its_title(line):
    assert classify_title(["市社区教育指导中心：", line]) is None


def test_a_form_title_a_line_break_left_alone_under_a_letter_title_is_not_the_form():
    assert classify_title(["关于报送智慧助老优秀案例的函", "市社区教育指导中心：", "现将《银龄数字课堂》",
                           "典型工作案例申报表", "报送给你们，请予审核。"]) is None


def test_a_stamped_cover_letter_scan_is_read_as_a_letter_not_as_the_form_it_names():
    """The rendered 报送函 through real Tesseract: its sentence naming the form lies in the title band."""
    letter = scanned(render_cover_letter(UNIT, [("case", NAME)]), skew=1.0, jpeg_quality=75)
    [page] = read_scan("报送函（盖章）.pdf", to_pdf([letter]), workers=1).pages
    assert "典型工作案例申报表" in page.text.replace("\n", "")  # OCR did read the sentence naming the form
    assert page.form_kind == "other"
    assert page.seal.found
