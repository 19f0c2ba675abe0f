"""Subject, attachment and deadline rules produce the right codes, and only then."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from parsers.facts import MailMessage, Material, Submission
from parsers.subject import parse_subject
from rules.attachments import check_attachment_names, check_no_attachments, check_unreadable
from rules.campaign import Batch, Campaign
from rules.subject import check_subject_count, check_subject_format
from rules.timing import assign_batch, check_late, check_late_batch

CST = timezone(timedelta(hours=8))
CAMPAIGN = Campaign(batches=[Batch("第一批", datetime(2022, 5, 5, 23, 59, 59, tzinfo=CST)),
                             Batch("第二批", datetime(2022, 8, 31, 23, 59, 59, tzinfo=CST))])


def _sub(subject="杭州市西湖区社区学院+智慧助老材料+1个", materials=None, **extra) -> Submission:
    return Submission(message=MailMessage(message_id="<1@x>", subject=subject),
                      subject=parse_subject(subject, "智慧助老"), materials=materials or [], **extra)


def _codes(rule, sub):
    return [d.code for d in rule(sub, CAMPAIGN)]


def test_well_formed_subject_passes_both_subject_rules():
    sub = _sub()
    assert _codes(check_subject_format, sub) == [] and _codes(check_subject_count, sub) == []


@pytest.mark.parametrize("subject", ["智慧助老材料 3个", "西湖区社区学院材料 3个", "", "材料"])
def test_subject_without_unit_or_keyword_is_subject_format(subject):
    [defect] = check_subject_format(_sub(subject), CAMPAIGN)
    assert defect.code == "SUBJECT_FORMAT" and defect.severity == "error"
    assert "单位名称+智慧助老材料+数量" in defect.message


def test_subject_without_count_is_subject_count_missing():
    [defect] = check_subject_count(_sub("杭州市西湖区社区学院智慧助老材料"), CAMPAIGN)
    assert defect.code == "SUBJECT_COUNT_MISSING" and "数量" in defect.message


def test_no_materials_is_no_attachments():
    assert _codes(check_no_attachments, _sub()) == ["NO_ATTACHMENTS"]
    assert _codes(check_no_attachments, _sub(materials=[Material("case", "西湖区+案例.docx", "a", 1)])) == []


def test_unreadable_material_is_reported_with_its_reason():
    m = Material("other", "西湖区+案例.wps", "a", 1, unreadable="无法转换 WPS 文件，请另存为 .docx 后发送。")
    [defect] = check_unreadable(_sub(materials=[m]), CAMPAIGN)
    assert defect.code == "ATTACHMENT_UNREADABLE" and defect.where == "西湖区+案例.wps"
    assert "另存为 .docx" in defect.message


@pytest.mark.parametrize("name,warned", [
    ("西湖区社区学院+案例.docx", False),
    ("杭州市西湖区+案例盖章扫描件.pdf", False),
    ("西湖+课程资源.docx", False),
    ("附件2.docx", True),
    ("新建 Microsoft Word 文档.docx", True),
    ("扫描全能王 2022-04-18 10.23.pdf", True),
    ("案例.docx", True),
])
def test_attachment_not_named_unit_plus_category_is_warned(name, warned):
    kind = "scan" if name.endswith(".pdf") else "case"
    sub = _sub(materials=[Material(kind, name, "a", 1)])
    codes = _codes(check_attachment_names, sub)
    assert codes == (["ATTACHMENT_NAME"] if warned else [])


def test_photos_and_videos_are_not_held_to_the_naming_rule():
    sub = _sub(materials=[Material("photo", "IMG_2034.JPG", "a", 1), Material("video", "VID.mp4", "b", 1)])
    assert _codes(check_attachment_names, sub) == []


@pytest.mark.parametrize("sent,text,batch,late_batch,late", [
    (datetime(2022, 4, 20, 10, 0, tzinfo=CST), "", "第一批", False, False),
    (datetime(2022, 5, 5, 23, 59, tzinfo=CST), "", "第一批", False, False),
    (datetime(2022, 5, 6, 8, 0, tzinfo=CST), "", "第二批", True, False),
    (datetime(2022, 5, 6, 8, 0, tzinfo=CST), "第二批材料", "第二批", False, False),
    (datetime(2022, 5, 6, 8, 0, tzinfo=CST), "第一批材料", "第二批", True, False),
    (datetime(2022, 9, 1, 8, 0, tzinfo=CST), "", "第二批", False, True),
    (datetime(2022, 5, 5, 16, 0, tzinfo=timezone.utc), "", "第二批", True, False),  # 00:00 next day in Beijing
])
def test_batch_is_assigned_by_date_against_deadlines(sent, text, batch, late_batch, late):
    got = assign_batch(sent, CAMPAIGN, text)
    assert (got.batch, got.late_batch, got.late) == (batch, late_batch, late)


def test_late_and_late_batch_defects_follow_the_assignment():
    assert _codes(check_late, _sub(batch="第二批", late=True)) == ["LATE"]
    [warning] = check_late_batch(_sub(batch="第二批", late_batch=True), CAMPAIGN)
    assert warning.severity == "warning" and "第一批" in warning.message and "第二批" in warning.message
    assert _codes(check_late, _sub(batch="第一批")) == [] and _codes(check_late_batch, _sub(batch="第一批")) == []
