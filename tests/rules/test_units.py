"""Who a mail is from: unit names compared as people write them, and UNIT_MISMATCH."""

from __future__ import annotations

import pytest

from parsers.facts import ApplicationForm, MailMessage, Material, SubjectInfo, Submission
from rules.campaign import Campaign
from rules.unit_names import is_short_form, normalise_unit, same_unit, units_related
from rules.units import check_unit_mismatch, signature_unit


def case_form(**fields) -> ApplicationForm:
    return ApplicationForm(kind="case", title="“银龄触网”智能手机应用进社区", unit=fields.get("申报单位"), fields=fields)


def submission(form: ApplicationForm, unit: str | None) -> Submission:
    material = Material(kind="case", filename=f"{form.unit}+案例.docx", sha256="a", size=1, form=form)
    subject = SubjectInfo(raw=f"{unit}+智慧助老材料+1", unit=unit, keyword_found=True, declared_count=1)
    return Submission(message=MailMessage(message_id="<a@b>"), subject=subject, materials=[material], unit=unit)


def run(rule, sub):
    return list(rule(sub, Campaign()))


@pytest.mark.parametrize(
    "subject_unit,form_unit",
    [
        ("杭州市社区教育指导中心", "杭州市西湖区社区学院"),
        ("西湖区社区学院", "杭州市西湖区社区学院"),
        ("杭州西湖区社区学院", "杭州市西湖区社区学院"),
        ("杭州市西湖区社区学院", "西湖区北山街道社区学校"),
        ("浙江省社区教育指导中心", "杭州市西湖区社区学院"),
        ("温州市社区学院", "温州开放大学"),
        ("杭州市西湖区社区学院（西湖区老年大学）", "杭州市西湖区社区学院"),
    ],
)
def test_related_units_give_no_warning(subject_unit, form_unit):
    assert units_related(subject_unit, form_unit)
    form = case_form(申报单位=form_unit)
    form.unit = form_unit
    assert run(check_unit_mismatch, submission(form, unit=subject_unit)) == []


@pytest.mark.parametrize(
    "subject_unit,form_unit",
    [
        ("宁波市老年大学", "温州市社区学院"),
        ("西湖区社区学院", "拱墅区社区学院"),
        ("浙江省社区教育指导中心", "江苏省南京市鼓楼区社区学院"),
        ("上海市老年大学", "北京市老年大学"),
    ],
)
def test_unrelated_units_are_warned(subject_unit, form_unit):
    assert not units_related(subject_unit, form_unit)
    form = case_form(申报单位=form_unit)
    form.unit = form_unit
    defects = run(check_unit_mismatch, submission(form, unit=subject_unit))
    assert [(d.code, d.severity, d.where) for d in defects] == [("UNIT_MISMATCH", "warning", "申报单位")]
    assert form_unit in defects[0].message and subject_unit in defects[0].message


def test_no_unit_warning_when_subject_has_no_unit():
    form = case_form(申报单位="温州市社区学院")
    form.unit = "温州市社区学院"
    assert run(check_unit_mismatch, submission(form, unit=None)) == []


def test_two_districts_of_one_city_are_two_units():
    assert not units_related("宁波市鄞州区社区学院", "宁波市海曙区社区学院")
    defects = run(check_unit_mismatch, submission(case_form(申报单位="宁波市海曙区社区学院"), "宁波市鄞州区社区学院"))
    assert [d.code for d in defects] == ["UNIT_MISMATCH"]
    assert "宁波市海曙区社区学院" in defects[0].message and "宁波市鄞州区社区学院" in defects[0].message


@pytest.mark.parametrize("written", ["宁波市鄞州区社区学院（盖章）", "宁波市 鄞州区社区学院", "宁波市鄞州区社区学院(公章)",
                                     "“宁波市鄞州区社区学院”", "宁波市鄞州区社区学院盖章"])
def test_a_name_written_with_spaces_quotes_or_a_seal_note_is_the_same_unit(written):
    assert same_unit(written, "宁波市鄞州区社区学院")
    assert normalise_unit(written) == normalise_unit("宁波市鄞州区社区学院")


@pytest.mark.parametrize("short,full,fits", [
    ("鄞州区", "宁波市鄞州区社区学院", True),
    ("鄞州社区学院", "宁波市鄞州区社区学院", True),
    ("铁西区社区学院", "沈阳市铁西区社区学院", True),
    ("海曙区", "宁波市鄞州区社区学院", False),
    ("区", "宁波市鄞州区社区学院", False),
])
def test_a_short_name_fits_the_full_one_it_abbreviates(short, full, fits):
    assert is_short_form(short, full) is fits


@pytest.mark.parametrize("body,unit", [
    ("老师您好：\n附件为我单位报送的材料。\n\n杭州市上城区社区学院\n2022年4月20日", "杭州市上城区社区学院"),
    ("请查收。\n沈阳市社区教育指导中心\n联系人：张老师 13900001111", "沈阳市社区教育指导中心"),
    ("请查收，谢谢！", None),
])
def test_the_signature_block_names_the_unit(body, unit):
    assert signature_unit(body) == unit
