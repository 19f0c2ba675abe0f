"""The Word form parser on realistic forms built with python-docx."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest

from ingest.samples.forms import (
    CASE_BASIC,
    CASE_EFFECT,
    CASE_PRACTICE,
    build_case_form,
    build_course_form,
    build_project_form,
    encrypt_docx,
)
from parsers.facts import UnreadableFile
from parsers.word import read_word


def chars(text: str) -> int:
    return len(re.sub(r"\s", "", text))


def test_official_case_form_yields_every_field():
    doc = read_word(build_case_form(), "杭州市西湖区社区学院+案例.docx")
    form = doc.form
    assert form.kind == "case"
    assert doc.heading == "典型工作案例申报表"
    assert not doc.is_summary
    assert form.title == "“银龄触网”智能手机应用进社区"
    assert form.unit == "杭州市西湖区社区学院"
    assert form.fields["负责人"] == "王建华"
    assert form.fields["负责人联系电话"] == "13812345678"
    assert form.fields["联系人"] == "李晓梅"
    assert form.fields["联系人联系电话"] == "0571-87654321"
    assert form.fields["基本情况"] == CASE_BASIC
    assert form.fields["主要做法"] == CASE_PRACTICE
    assert form.fields["经验效果"] == CASE_EFFECT
    assert "申报单位意见" in form.fields and "省级教育行政部门意见" in form.fields


def test_case_sections_are_counted_without_whitespace():
    form = read_word(build_case_form(), "案例.docx").form
    assert form.section_lengths == {
        "基本情况": chars(CASE_BASIC),
        "主要做法": chars(CASE_PRACTICE),
        "经验效果": chars(CASE_EFFECT),
        "全文": chars(CASE_BASIC + CASE_PRACTICE + CASE_EFFECT),
    }


def test_provincial_case_form_splits_one_content_cell_by_its_headings():
    data = build_case_form(version="provincial", practice="一是开设固定课堂。\n二是组织流动课堂进小区。")
    doc = read_word(data, "案例.docx")
    assert doc.heading == "“智慧助老”典型工作案例申报表"
    assert doc.form.fields["主要做法"] == "一是开设固定课堂。\n二是组织流动课堂进小区。"
    assert doc.form.section_lengths["主要做法"] == chars("一是开设固定课堂。二是组织流动课堂进小区。")
    assert "市社区教育指导中心意见" in doc.form.fields


def test_merged_cells_are_read_once():
    doc = read_word(build_case_form(name="“指尖上的幸福”老年数字课堂"), "案例.docx")
    assert doc.text.count("“指尖上的幸福”老年数字课堂") == 1  # spans three grid columns
    assert doc.text.count("案例内容") == 1  # spans three rows
    assert doc.text.count("（盖章）") == 2  # one per opinion row
    assert doc.form.title == "“指尖上的幸福”老年数字课堂"
    assert doc.form.fields["申报单位"] == "杭州市西湖区社区学院"


def test_project_form_yields_every_field():
    form = read_word(build_project_form(), "杭州市西湖区社区学院+培训项目.docx").form
    assert form.kind == "project"
    assert form.title == "“数字生活 乐享晚年”老年人智能技术应用培训项目"
    expected = {
        "申报单位": "杭州市西湖区社区学院",
        "负责人": "王建华",
        "负责人联系电话": "13812345678",
        "联系人": "李晓梅",
        "联系人联系电话": "0571-87654321",
        "授课人": "陈晓燕",
        "单位及职务（职称）": "杭州市西湖区社区学院 讲师",
        "培训期数": "24期",
        "培训人次": "1860人次",
    }
    assert {k: form.fields[k] for k in expected} == expected
    assert form.fields["培训内容"].startswith("项目围绕老年人日常生活中的高频事项")
    assert form.fields["培训效果"].startswith("项目共举办培训24期")


def test_course_form_yields_every_field():
    form = read_word(build_course_form(), "杭州市西湖区社区学院+课程资源.docx").form
    assert form.kind == "course"
    assert form.title == "老年人智能手机应用入门"
    assert form.unit == "杭州市西湖区社区学院"
    assert form.resource_types == ["视频资源"]
    assert form.video_minutes == 45
    assert form.share_consent is True
    assert form.fields["核心成员"] == "陈晓燕、周建国、林婷婷、王浩"
    assert form.fields["曾获奖项"] == "2022年浙江省老年教育优秀课程资源"
    assert form.fields["课程主要内容"].startswith("本课程面向零基础老年学员")
    assert form.fields["联系人联系电话"] == "0571-87654321"


@pytest.mark.parametrize("builder", [build_case_form, build_project_form, build_course_form])
@pytest.mark.parametrize("layout", ["table", "paragraph", "inline"])
def test_every_layout_with_spaced_labels_gives_the_same_fields(builder, layout):
    plain = read_word(builder(), "表.docx").form
    other = read_word(builder(layout=layout, spaced_labels=True), "表.docx").form
    wanted = {k: v for k, v in plain.fields.items() if not k.endswith("意见")}
    assert {k: other.fields.get(k) for k in wanted} == wanted
    assert other.kind == plain.kind


def test_paragraph_form_reads_two_labels_on_one_line_with_fullwidth_colons():
    data = build_case_form(layout="paragraph")
    lines = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert "负责人：王建华　　联系电话：13812345678" in lines  # the layout under test
    form = read_word(data, "案例.docx").form
    assert form.fields["负责人"] == "王建华"
    assert form.fields["负责人联系电话"] == "13812345678"


def test_label_and_value_in_one_cell():
    data = build_project_form(layout="inline")
    first_cell = docx.Document(io.BytesIO(data)).tables[0].rows[0].cells[0].text
    assert first_cell.startswith("项目名称：")
    form = read_word(data, "项目.docx").form
    assert form.title == "“数字生活 乐享晚年”老年人智能技术应用培训项目"
    assert form.fields["培训期数"] == "24期"


def test_no_resource_type_ticked_and_no_video_length():
    form = read_word(build_course_form(resource_types=(), video_minutes=None), "课程.docx").form
    assert form.resource_types == []
    assert form.video_minutes is None


def test_hyperlink_and_typed_share_link_are_found():
    url = "https://pan.baidu.com/s/1AbCdEfGhIjK"
    typed = "百度网盘链接：https://pan.baidu.com/s/1XyZ9aBcD 提取码：x7k2"
    doc = read_word(build_course_form(hyperlink=url, link_text=typed), "课程.docx")
    assert doc.hyperlinks == [url]
    assert doc.form.hyperlinks == [url]
    assert typed in doc.text and typed in doc.form.text
    assert url in doc.form.fields["课程主要内容"]


@pytest.mark.parametrize(
    "title", ["2022年全国智慧助老典型工作案例申报表", "“智慧助老”典型工作案例申报表", ""]
)
def test_case_form_recognised_by_title_variant_or_labels(title):
    doc = read_word(build_case_form(title=title), "案例.docx")
    assert doc.form.kind == "case"


def test_form_without_title_is_recognised_by_its_labels():
    for builder, kind in [(build_project_form, "project"), (build_course_form, "course")]:
        assert read_word(builder(title=""), "表.docx").form.kind == kind


def test_blank_fields_are_kept_as_empty_strings():
    form = read_word(build_case_form(omit=("联系人", "联系人联系电话", "经验效果")), "案例.docx").form
    assert form.fields["联系人"] == ""
    assert form.fields["联系人联系电话"] == ""
    assert "经验效果" not in form.fields
    assert form.fields["负责人联系电话"] == "13812345678"


def test_summary_table_is_not_a_form():
    document = docx.Document()
    document.add_paragraph("杭州市“智慧助老”材料信息汇总表")
    table = document.add_table(rows=2, cols=4)
    for cell, text in zip(table.rows[0].cells, ("序号", "材料类别", "案例名称", "申报单位")):
        cell.text = text
    row = ("1", "典型案例", "“银龄触网”智能手机应用进社区", "杭州市西湖区社区学院")
    for cell, text in zip(table.rows[1].cells, row):
        cell.text = text
    out = io.BytesIO()
    document.save(out)
    doc = read_word(out.getvalue(), "汇总表.docx")
    assert doc.is_summary
    assert doc.form is None
    assert doc.heading == "杭州市“智慧助老”材料信息汇总表"


def test_plain_narrative_is_not_a_form():
    document = docx.Document()
    document.add_paragraph("西湖区智慧助老工作经验材料")
    document.add_paragraph("一、基本情况")
    document.add_paragraph(CASE_BASIC)
    document.add_paragraph("二、主要做法")
    document.add_paragraph(CASE_PRACTICE)
    out = io.BytesIO()
    document.save(out)
    doc = read_word(out.getvalue(), "经验材料.docx")
    assert doc.form is None
    assert doc.heading == "西湖区智慧助老工作经验材料"


def test_corrupt_file_is_unreadable_with_a_chinese_reason():
    data = build_case_form()
    with pytest.raises(UnreadableFile, match="无法作为 Word 文档打开"):
        read_word(data[: len(data) // 2], "案例.docx")
    with pytest.raises(UnreadableFile, match="已损坏"):
        read_word("这不是一个Word文件".encode(), "案例.docx")


def test_zip_without_a_document_is_unreadable():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "照片")
    with pytest.raises(UnreadableFile, match=r"\.docx"):
        read_word(out.getvalue(), "案例.docx")


def test_password_protected_docx_is_unreadable():
    data = encrypt_docx(build_case_form())
    with pytest.raises(UnreadableFile, match="密码"):
        read_word(data, "杭州市西湖区社区学院+案例.docx")


def test_paragraph_form_with_an_empty_contact_keeps_the_next_labels_phone():
    from ingest.samples.forms import build_case_form
    from parsers.word import read_word
    fields = read_word(build_case_form(layout="paragraph", contact=""), "西湖区+案例.docx").form.fields
    assert fields["联系人"] == "" and fields["联系人联系电话"] == "0571-87654321"


def _table_form(rows: list[tuple[str, ...]]) -> bytes:
    document = docx.Document()
    document.add_paragraph("附件2")
    document.add_paragraph("典型工作案例申报表")
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    for row, texts in zip(table.rows, rows):
        for cell, text in zip(row.cells, texts):
            cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("extra", [("职务", "副院长"), ("职称", "高级讲师"), ("邮箱", "chenli@yz.edu.cn")])
def test_an_extra_column_never_leaks_into_its_neighbour_and_is_kept_as_its_own_field(extra):
    data = _table_form([
        ("案例名称", "“数字反哺”祖孙课堂", "", "", "", ""),
        ("申报单位", "宁波市鄞州区社区学院", "", "", "", ""),
        ("负责人", "陈立", extra[0], extra[1], "联系电话", "13805741234"),
        ("联系人", "王芳", extra[0], "教务员" if extra[0] != "邮箱" else "wf@yz.edu.cn", "联系电话", "0574-88123456"),
        ("基本情况", "鄞州区有老年人约二十万。", "", "", "", ""),
    ])
    fields = read_word(data, "案例.docx").form.fields
    assert fields["负责人"] == "陈立" and fields["联系人"] == "王芳"
    assert fields["负责人联系电话"] == "13805741234" and fields["联系人联系电话"] == "0574-88123456"
    assert fields[extra[0]] == extra[1]


def test_an_extra_label_written_with_its_value_in_one_cell_is_its_own_field():
    data = _table_form([
        ("案例名称：“数字反哺”祖孙课堂",),
        ("负责人：陈立", "职务：副院长", "联系电话：13805741234"),
    ])
    fields = read_word(data, "案例.docx").form.fields
    assert (fields["负责人"], fields["职务"], fields["负责人联系电话"]) == ("陈立", "副院长", "13805741234")


@pytest.mark.parametrize("header", [
    ["课程名称", "网盘链接", "提取码"],
    ["序号", "课程名称", "视频链接", "提取码"],
    ["课程名称", "视频时长", "百度网盘链接", "提取码"],
])
def test_a_table_listing_courses_and_their_links_is_no_application_form(header):
    document = docx.Document()
    document.add_paragraph("智慧助老课程视频网盘链接")
    rows = [header, *[[f"{n}" if h == "序号" else {"课程名称": name, "视频时长": "12分钟", "提取码": code}.get(h, url)
                       for h in header] for n, (name, url, code) in enumerate([
                          ("手把手教您用健康码", "https://pan.baidu.com/s/1AbCdEfGhIjKlMnOpQrStUv", "ab12"),
                          ("微信视频通话与防诈骗", "https://pan.baidu.com/s/1ZyXwVuTsRqPoNmLkJiHgFe", "cd34")], 1)]]
    table = document.add_table(rows=len(rows), cols=len(header))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    read = read_word(buffer.getvalue(), "课程视频链接.docx")
    assert read.form is None, read.form and read.form.fields
    assert "https://pan.baidu.com/s/1AbCdEfGhIjKlMnOpQrStUv" in read.text and "ab12" in read.text
