"""Rules over the Word application forms, on Submission objects built directly."""

from __future__ import annotations

import hashlib

import pytest

from ingest.samples.forms import build_case_form, build_course_form, build_project_form
from parsers.facts import ApplicationForm, MailMessage, Material, SubjectInfo, Submission
from parsers.word import read_word
from rules.campaign import Campaign
from rules.units import check_unit_mismatch
from rules.forms import (
    check_case_lengths,
    check_form_fields,
    check_form_phones,
    check_share_consent,
    valid_phone,
)

ALL_RULES = [check_form_fields, check_form_phones, check_case_lengths, check_share_consent, check_unit_mismatch]
PEOPLE = {
    "申报单位": "杭州市西湖区社区学院",
    "负责人": "王建华",
    "负责人联系电话": "13812345678",
    "联系人": "李晓梅",
    "联系人联系电话": "0571-87654321",
}


def case_form(**changes) -> ApplicationForm:
    fields = {
        "案例名称": "“银龄触网”智能手机应用进社区",
        **PEOPLE,
        "基本情况": "西湖区现有60周岁以上户籍老年人约18.6万人。",
        "主要做法": "一是构建分层课程体系。二是组建多元师资队伍。",
        "经验效果": "累计培训老年人1.2万余人次。",
    }
    fields.update(changes)
    fields = {k: v for k, v in fields.items() if v is not None}
    lengths = {k: len(fields.get(k, "")) for k in ("基本情况", "主要做法", "经验效果")}
    lengths["全文"] = sum(lengths.values())
    return ApplicationForm(
        kind="case", title=fields.get("案例名称"), unit=fields.get("申报单位"), fields=fields, section_lengths=lengths
    )


def course_form(share_consent=True, resource_types=("视频资源",), video_minutes=45.0, **changes) -> ApplicationForm:
    fields = {"课程名称": "老年人智能手机应用入门", **PEOPLE, "课程主要内容": "本课程共12讲。", **changes}
    return ApplicationForm(
        kind="course",
        title=fields["课程名称"],
        unit=fields["申报单位"],
        fields=fields,
        resource_types=list(resource_types),
        video_minutes=video_minutes,
        share_consent=share_consent,
    )


def submission(*forms: ApplicationForm, unit: str | None = "杭州市西湖区社区学院") -> Submission:
    materials = [
        Material(kind=f.kind, filename=f"{f.unit}+{f.kind}.docx", sha256=_digest(f), size=1, form=f) for f in forms
    ]
    raw = f"{unit}+智慧助老材料+{len(forms)}"
    subject = SubjectInfo(raw=raw, unit=unit, keyword_found=True, declared_count=len(forms))
    return Submission(message=MailMessage(message_id="<a@b>"), subject=subject, materials=materials)


def _digest(form: ApplicationForm) -> str:
    return hashlib.sha256(repr(form.fields).encode()).hexdigest()


def run(rule, sub, campaign=None):
    return list(rule(sub, campaign or Campaign()))


@pytest.mark.parametrize(
    "builder,name",
    [(build_case_form, "案例.docx"), (build_project_form, "培训项目.docx"), (build_course_form, "课程资源.docx")],
)
def test_sample_forms_as_parsed_pass_every_rule(builder, name):
    doc = read_word(builder(), name)
    material = Material(kind=doc.form.kind, filename=name, sha256="0" * 64, size=1, form=doc.form)
    sub = Submission(
        message=MailMessage(message_id="<x@y>"),
        subject=SubjectInfo(raw="杭州市西湖区社区学院+智慧助老材料+1", unit="杭州市西湖区社区学院"),
        materials=[material],
    )
    assert [d for rule in ALL_RULES for d in rule(sub, Campaign())] == []


def test_missing_contact_is_reported_by_label():
    defects = run(check_form_fields, submission(case_form(联系人="", 联系人联系电话="  ")))
    assert [(d.code, d.severity, d.where) for d in defects] == [
        ("FIELD_MISSING", "error", "联系人"),
        ("FIELD_MISSING", "error", "联系人联系电话"),
    ]
    assert "《杭州市西湖区社区学院+case.docx》" in defects[0].message
    assert "“联系人”未填写" in defects[0].message


def test_placeholder_values_count_as_blank():
    defects = run(check_form_fields, submission(case_form(负责人="无", 案例名称="/")))
    assert {d.where for d in defects} == {"负责人", "案例名称"}


def test_contact_same_as_above_needs_no_second_phone():
    assert run(check_form_fields, submission(case_form(联系人="同上", 联系人联系电话=None))) == []


def test_unsplit_case_content_asks_for_the_three_headings():
    form = case_form(基本情况=None, 主要做法=None, 经验效果=None, 案例内容="西湖区开展智能手机培训……")
    defects = run(check_form_fields, submission(form))
    assert [d.where for d in defects] == ["基本情况", "主要做法", "经验效果"]
    assert "没有找到“基本情况”部分" in defects[0].message


def test_project_form_requires_training_fields():
    form = ApplicationForm(kind="project", title="老年人智能技术应用培训", unit="杭州市西湖区社区学院",
                           fields={"项目名称": "老年人智能技术应用培训", **PEOPLE, "授课人": "陈晓燕",
                                   "培训期数": "24期", "培训人次": "1860人次", "培训内容": "四个模块。"})
    defects = run(check_form_fields, submission(form))
    assert [d.where for d in defects] == ["培训效果"]


def test_course_without_ticked_resource_type():
    defects = run(check_form_fields, submission(course_form(resource_types=())))
    assert [(d.code, d.where) for d in defects] == [("FIELD_MISSING", "课程资源类型")]


def test_video_course_without_length():
    defects = run(check_form_fields, submission(course_form(video_minutes=None)))
    assert [(d.code, d.where) for d in defects] == [("FIELD_MISSING", "视频时长")]


@pytest.mark.parametrize(
    "phone",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "0571-87654321",
        "057187654321",
        "0571 87654321",
        "(0571)87654321",
        "（0571）87654321",
        "010-62345678",
        "0571-87654321转123",
        "0571-87654321-123",
        "010-62345678 ext 12",
        "13812345678/0571-87654321",
        "13812345678、13987654321",
        "13812345678 0571-87654321",
        "手机：13812345678",
        "0571-87654321（办）",
        "座机0574-87654321 手机13812345678",  # each number under its own word
        "办公室：0574-87654321；手机：13812345678",
        "13812345678（微信同号）",
        "0574-87654321分机8012",
        "0574-87654321手机13812345678",
        "0574-87654321（办）13812345678（手机）",  # a bracketed word after each number (issue 21)
        "0574-87654321 138 1234 5678",  # a spaced mobile beside a landline
    ],
)
def test_valid_phone_numbers(phone):
    assert valid_phone(phone)
    assert run(check_form_phones, submission(case_form(联系人联系电话=phone))) == []


@pytest.mark.parametrize(
    "phone",
    [
        "0571-123",
        "1381234567",
        "138123456789",
        "12345678901",
        "87654321",
        "23812345678",
        "13812345678/0571-123",
        "暂未开通",
        "wang@example.com",
        "座机87654321 手机13812345678",  # the landline lacks its area code
        "87654321（内线）",
        "0574-87654321 1381234567",  # the mobile beside a good landline is a digit short
        "0574-87654321（办）1381234567（手机）",
    ],
)
def test_invalid_phone_numbers(phone):
    assert not valid_phone(phone)
    defects = run(check_form_phones, submission(case_form(联系人联系电话=phone)))
    assert [(d.code, d.severity, d.where) for d in defects] == [("PHONE_INVALID", "error", "联系人联系电话")]
    assert f"填写为“{phone}”" in defects[0].message
    assert "《杭州市西湖区社区学院+case.docx》" in defects[0].message


def test_blank_or_same_as_above_phone_is_not_a_phone_error():
    assert run(check_form_phones, submission(case_form(联系人联系电话="", 负责人联系电话="同上"))) == []


def test_case_section_over_limit():
    form = case_form(主要做法="做" * 1501)
    defects = run(check_case_lengths, submission(form))
    assert [(d.code, d.where) for d in defects] == [("TEXT_TOO_LONG", "主要做法")]
    assert "1501字" in defects[0].message and "1500字" in defects[0].message


def test_case_sections_at_limit_are_fine_and_limits_come_from_the_campaign():
    form = case_form(基本情况="基" * 500)
    assert run(check_case_lengths, submission(form)) == []
    strict = Campaign(text_limits={"基本情况": 300, "全文": 3000})
    assert [d.where for d in run(check_case_lengths, submission(form), strict)] == ["基本情况"]


def test_whole_case_over_limit_from_a_parsed_form():
    doc = read_word(build_case_form(basic="情" * 480, practice="做" * 1490, effect="效" * 1100), "案例.docx")
    material = Material(kind="case", filename="案例.docx", sha256="1" * 64, size=1, form=doc.form)
    sub = submission()
    sub.materials = [material]
    assert sorted(d.where for d in run(check_case_lengths, sub)) == ["全文", "经验效果"]


@pytest.mark.parametrize("consent,expected", [(True, []), (False, []), (None, ["SHARE_CONSENT_MISSING"])])
def test_share_consent(consent, expected):
    defects = run(check_share_consent, submission(course_form(share_consent=consent)))
    assert [d.code for d in defects] == expected


def test_share_consent_only_concerns_course_forms():
    assert run(check_share_consent, submission(case_form())) == []


def test_full_width_phone_numbers_are_valid():
    from rules.forms import valid_phone
    assert valid_phone("０５７１－８７６５４３２１") and valid_phone("１３８１２３４５６７８")
