"""The 信息汇总表 export: one row per material in the coordinators' columns, and one row per unit."""

from __future__ import annotations

import io
from datetime import datetime, timezone

from openpyxl import load_workbook

from notifier.workbook import MATERIAL_HEADERS, UNIT_HEADERS, export_workbook
from parsers.facts import Defect, ShareLink
from storage.collection import MaterialStanding, UnitStanding

UNIT = "温州市鹿城区社区学院"
SENT = datetime(2022, 5, 5, 15, 59, 30, tzinfo=timezone.utc)  # 23:59:30 in Beijing


def _course() -> MaterialStanding:
    return MaterialStanding(
        unit=UNIT, kind="course", title="手把手教您用手机挂号就医", status="defective", batch="第一批",
        submission_id=3, received_at=SENT, sender="lcsqxy@qq.com",
        files=["鹿城区+课程资源.docx", "鹿城区+课程资源盖章件.jpg"],
        fields={"负责人": "林晓", "负责人联系电话": "13805771234", "联系人": "周敏", "联系人联系电话": "0577-88123456"},
        problems=[Defect("LINK_CODE_MISSING", "error", "网盘链接缺少提取码，请补充。", "正文")],
        links=[ShareLink("baidu", "https://pan.baidu.com/s/1Xk9fRt2LmQpZ7vWcYb3NaH", code="x7k2")],
    )


def test_material_sheet_has_the_coordinators_columns_one_row_per_material():
    scan_only = MaterialStanding(unit=UNIT, kind="case", title="“数字反哺”祖孙课堂", status="accepted", batch="第一批",
                                 submission_id=4, received_at=SENT, sender="lcsqxy@qq.com", files=["案例盖章件.pdf"],
                                 fields={}, problems=[], title_from_scan=True)
    book = load_workbook(io.BytesIO(export_workbook([_course(), scan_only], [])))
    sheet = book["信息汇总表"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == MATERIAL_HEADERS == (
        "序号", "单位", "材料类别", "名称", "负责人", "负责人电话", "联系人", "联系人电话", "状态", "问题", "批次", "收到时间",
        "发件人", "网盘链接", "提取码")
    assert rows[1] == [1, UNIT, "课程资源", "手把手教您用手机挂号就医", "林晓", "13805771234", "周敏", "0577-88123456",
                       "需修改", "缺少提取码：网盘链接缺少提取码，请补充。", "第一批", datetime(2022, 5, 5, 23, 59, 30),
                       "lcsqxy@qq.com", "https://pan.baidu.com/s/1Xk9fRt2LmQpZ7vWcYb3NaH", "x7k2"]
    assert rows[2][3] == "“数字反哺”祖孙课堂（据扫描件识别）" and rows[2][8] == "通过"
    assert sheet["F2"].number_format == "@" and sheet["L2"].number_format == 'yyyy"年"m"月"d"日" hh:mm'


def test_unit_sheet_lists_roster_units_that_sent_nothing():
    sent = UnitStanding(UNIT, True, [_course()], last_mail=SENT, mails=2,
                        outstanding=[Defect("LINK_CODE_MISSING", "error", "网盘链接缺少提取码，请补充。", "正文")])
    silent = UnitStanding("温州市龙湾区社区学院", True)
    rows = [list(r) for r in load_workbook(io.BytesIO(export_workbook([], [sent, silent])))["各单位情况"]
            .iter_rows(values_only=True)]
    assert tuple(rows[0]) == UNIT_HEADERS
    assert rows[1] == [1, UNIT, "是", 0, 0, 1, 1, 0, 1, 2, datetime(2022, 5, 5, 23, 59, 30), "网盘链接缺少提取码，请补充。"]
    assert rows[2][:3] == [2, "温州市龙湾区社区学院", "是"] and rows[2][10] == "尚未报送"


HOSTILE = ['=HYPERLINK("http://evil.example/x","点击核对")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]


def _hostile_material() -> MaterialStanding:
    """A form whose every field a sender controls reads like a formula."""
    leader, leader_phone, contact, contact_phone, title = HOSTILE
    return MaterialStanding(
        unit=HOSTILE[0], kind="case", title=title, status="defective", batch="第一批", submission_id=7,
        received_at=SENT, sender="=cmd|' /C calc'!A0@evil.example", files=["案例.docx"],
        fields={"负责人": leader, "负责人联系电话": leader_phone, "联系人": contact, "联系人联系电话": contact_phone},
        problems=[Defect("FORM_FIELDS", "error", "+缺少内容", "正文")],
        links=[ShareLink("unknown", '=HYPERLINK("http://evil.example/y")', code="-1")],
    )


def _hostile_stats():
    from ingest.coordinator.statistics import StatsSummary

    summary = StatsSummary("taizhou-2021", "=进展情况统计表", "2021年第2季度", ["@培训人次"])
    summary.units["+1+1"] = {"@培训人次": 12}
    return [summary]


def test_text_from_mail_is_never_a_formula_in_the_workbook():
    material = _hostile_material()
    unit = UnitStanding(HOSTILE[0], False, [material], last_mail=SENT, mails=1,
                        outstanding=[Defect("FORM_FIELDS", "error", "=1+1", "正文")])
    book = load_workbook(io.BytesIO(export_workbook([material], [unit], stats=_hostile_stats())))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    row = {h: c for h, c in zip(MATERIAL_HEADERS, book["信息汇总表"][2])}
    for header, text in zip(("负责人", "负责人电话", "联系人", "联系人电话", "名称"), HOSTILE):
        assert row[header].data_type == "s" and row[header].value == text, header
    assert row["单位"].value == HOSTILE[0] and row["网盘链接"].value == '=HYPERLINK("http://evil.example/y")'
    assert row["负责人"].quotePrefix and not row["状态"].quotePrefix  # Excel keeps it text when edited too
    assert row["序号"].value == 1 and row["序号"].data_type == "n"
    stats = book["统计汇总"]
    assert stats["A1"].value == "=进展情况统计表（2021年第2季度）" and stats["A3"].value == "+1+1"
    assert stats["B3"].value == 12 and stats["B3"].data_type == "n"


def test_control_characters_from_mail_do_not_break_the_export():
    material = _course()
    material.fields["负责人"] = "林\x07晓\x00"
    rows = list(load_workbook(io.BytesIO(export_workbook([material], [])))["信息汇总表"].iter_rows(values_only=True))
    assert rows[1][4] == "林晓"
