"""The collection as coordinators see it: who each mail is from, and which materials stand, through the pipeline."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime

import pytest

from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form, build_course_form, build_project_form
from ingest.samples.mails import CST, MailSpec, build_mail
from rules.campaign import Roster, RosterUnit

YINZHOU = "宁波市鄞州区社区学院"
GONGSHU = "杭州市拱墅区教育局"
XIAOSHAN = "杭州市萧山区社区学院"


def _mail(subject, sender, attachments, *, day=20, message_id=None, body=None, extra=None):
    return build_mail(MailSpec(subject=subject, sender=sender, attachments=attachments,
                               body=body or "老师您好，附件是我单位的智慧助老材料，请查收。",
                               date=datetime(2022, 4, day, 10, 0, tzinfo=CST), message_id=message_id,
                               extra_headers=extra or {}))


def _body(path) -> str:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default).get_body(("plain",)).get_content()


def _live_materials(db, submission_id):
    return [(m.material.kind, m.material.title) for m in db.load(submission_id).live_materials()]


def test_two_units_sending_a_letter_titled_subject_are_two_units_named_by_their_forms(settings):
    pipeline = Pipeline(settings)
    subject = "关于报送智慧助老材料的函"
    a = pipeline.process(_mail(subject, ("拱墅区教育局", "gsjy@163.com"),
                               [(f"{GONGSHU}案例.docx", build_case_form(name="“云上课堂”助老计划", unit=GONGSHU)),
                                (f"{GONGSHU}培训项目.docx", build_project_form(name="拱墅区银龄数字课堂", unit=GONGSHU))],
                               message_id="<gs@163.com>"), "a.eml")
    b = pipeline.process(_mail(subject, ("萧山区社区学院", "xssqxy@126.com"),
                               [(f"{XIAOSHAN}案例.docx", build_case_form(name="萧山区“银龄数智”行动", unit=XIAOSHAN))],
                               message_id="<xs@126.com>", day=21), "b.eml")
    assert a.submission.unit == GONGSHU and b.submission.unit == XIAOSHAN
    assert "SUBJECT_FORMAT" in [d.code for d in a.defects]
    assert "UNIT_MISMATCH" not in [d.code for d in a.defects]
    assert pipeline.db.submission(a.submission_id).superseded_by is None
    assert len(_live_materials(pipeline.db, a.submission_id)) == 2
    notice = _body(a.reply_path)
    assert f"{GONGSHU}+智慧助老材料+2" in notice and "的函" not in notice.replace(f"“{subject}”", "")


def test_a_short_name_resend_in_our_thread_is_the_same_unit_and_replaces_its_mail(settings):
    pipeline = Pipeline(settings)
    sender = ("鄞州社区学院", "yzsqxy@126.com")
    first = pipeline.process(_mail(f"{YINZHOU}+智慧助老材料+1个", sender,
                                   [(f"{YINZHOU}+案例.docx", build_case_form(unit=YINZHOU, contact_phone="0574-88"))],
                                   message_id="<yz-1@126.com>"), "1.eml")
    assert first.status == "defective"
    notice = email.message_from_bytes(first.reply_path.read_bytes(), policy=email.policy.default)
    resend = pipeline.process(_mail("回复：鄞州区 智慧助老材料 1个", sender,
                                    [(f"{YINZHOU}+案例.docx", build_case_form(unit=YINZHOU))],
                                    message_id="<yz-2@126.com>", day=22,
                                    extra={"In-Reply-To": notice["Message-ID"],
                                           "References": f"<yz-1@126.com> {notice['Message-ID']}"}), "2.eml")
    assert resend.submission.unit == YINZHOU
    assert any("回复本系统" in e for e in resend.submission.unit_evidence)
    assert pipeline.db.submission(first.submission_id).superseded_by == resend.submission_id
    units = {s.unit for s in pipeline.db.load_all()}
    assert units == {YINZHOU}


def test_a_case_today_and_a_course_tomorrow_both_stay_in_the_collection(settings):
    pipeline = Pipeline(settings)
    sender = ("萧山区社区学院", "xssqxy@126.com")
    case = pipeline.process(_mail(f"{XIAOSHAN}+智慧助老材料+1个", sender,
                                  [(f"{XIAOSHAN}+案例.docx", build_case_form(unit=XIAOSHAN))], message_id="<c@126.com>"),
                            "1.eml")
    course = pipeline.process(_mail(f"{XIAOSHAN}+智慧助老材料+1个", sender,
                                    [(f"{XIAOSHAN}+课程资源.docx", build_course_form(unit=XIAOSHAN))],
                                    message_id="<k@126.com>", day=21), "2.eml")
    assert pipeline.db.submission(case.submission_id).superseded_by is None
    assert [k for k, _ in _live_materials(pipeline.db, case.submission_id)] == ["case"]
    assert [k for k, _ in _live_materials(pipeline.db, course.submission_id)] == ["course"]


def test_a_corrected_case_replaces_only_the_case(settings):
    pipeline = Pipeline(settings)
    sender = ("萧山区社区学院", "xssqxy@126.com")
    both = pipeline.process(_mail(f"{XIAOSHAN}+智慧助老材料+2个", sender,
                                  [(f"{XIAOSHAN}+案例.docx", build_case_form(unit=XIAOSHAN, contact_phone="123")),
                                   (f"{XIAOSHAN}+课程资源.docx", build_course_form(unit=XIAOSHAN))],
                                  message_id="<both@126.com>"), "1.eml")
    fixed = pipeline.process(_mail(f"{XIAOSHAN}+智慧助老材料+1个", sender,
                                   [(f"{XIAOSHAN}+案例（修改）.docx", build_case_form(unit=XIAOSHAN))],
                                   message_id="<fixed@126.com>", day=21), "2.eml")
    assert [k for k, _ in _live_materials(pipeline.db, both.submission_id)] == ["course"]
    [old_case] = [m for m in pipeline.db.load(both.submission_id).materials if m.material.kind == "case"]
    assert (old_case.superseded_by, old_case.superseded_reason) == (fixed.submission_id, "同一材料重新报送")
    assert pipeline.db.submission(both.submission_id).superseded_by is None


def _case_and_course(settings):
    """A unit's first mail with a case and a course: (pipeline, sender, outcome)."""
    pipeline = Pipeline(settings)
    sender = ("萧山区社区学院", "xssqxy@126.com")
    both = pipeline.process(_mail(f"{XIAOSHAN}+智慧助老材料+2个", sender,
                                  [(f"{XIAOSHAN}+案例.docx", build_case_form(unit=XIAOSHAN)),
                                   (f"{XIAOSHAN}+课程资源.docx", build_course_form(unit=XIAOSHAN))],
                                  message_id="<both@126.com>"), "1.eml")
    return pipeline, sender, both


@pytest.mark.parametrize("words", ["以此为准", "更正：重新报送全部材料"])
def test_a_mail_that_says_it_replaces_everything_replaces_the_whole_set(settings, words):
    pipeline, sender, both = _case_and_course(settings)
    again = pipeline.process(_mail(f"{XIAOSHAN}+智慧助老材料+1个（{words}）", sender,
                                   [(f"{XIAOSHAN}+培训项目.docx", build_project_form(unit=XIAOSHAN))],
                                   message_id="<again@126.com>", day=21), "2.eml")
    assert _live_materials(pipeline.db, both.submission_id) == []
    assert pipeline.db.submission(both.submission_id).superseded_by == again.submission_id


def test_quoted_words_of_our_own_notice_do_not_replace_the_set(settings):
    pipeline, sender, both = _case_and_course(settings)
    body = "老师好，补充培训项目一份。\n\n------------------ 原始邮件 ------------------\n经系统初步审核，本次报送还有以下问题需要修改，麻烦您修改后重新发送。"
    pipeline.process(_mail(f"{XIAOSHAN}+智慧助老材料+1个", sender,
                           [(f"{XIAOSHAN}+培训项目.docx", build_project_form(unit=XIAOSHAN))],
                           message_id="<more@126.com>", day=21, body=body), "2.eml")
    assert len(_live_materials(pipeline.db, both.submission_id)) == 2


def test_the_roster_names_the_unit_of_a_known_address_and_of_a_whole_domain(settings):
    settings.campaign.roster = Roster([RosterUnit(YINZHOU, ["鄞州社区学院"], ["yzsqxy@126.com", "@yz.edu.cn"])])
    pipeline = Pipeline(settings)
    by_address = pipeline.process(_mail("鄞州 智慧助老材料 1个", ("鄞州", "yzsqxy@126.com"),
                                        [("案例.docx", build_case_form(unit=YINZHOU))], message_id="<r1@126.com>"),
                                  "1.eml")
    by_domain = pipeline.process(_mail("智慧助老材料 1个", ("王老师", "wang@yz.edu.cn"),
                                       [("课程.docx", build_course_form(unit=YINZHOU))], message_id="<r2@yz.edu.cn>"),
                                 "2.eml")
    assert by_address.submission.unit == YINZHOU and by_domain.submission.unit == YINZHOU
    assert by_address.submission.unit_evidence == ["名册：发件地址 yzsqxy@126.com"]


def test_a_roster_address_sending_another_roster_units_forms_is_warned_naming_both(settings):
    haishu = "宁波市海曙区社区学院"
    settings.campaign.roster = Roster([RosterUnit(YINZHOU, [], ["yzsqxy@126.com"]),
                                       RosterUnit(haishu, [], ["hssqxy@126.com"])])
    outcome = Pipeline(settings).process(_mail(f"{YINZHOU}+智慧助老材料+1个", ("鄞州", "yzsqxy@126.com"),
                                               [(f"{haishu}+案例.docx", build_case_form(unit=haishu))]), "1.eml")
    [warning] = [d for d in outcome.defects if d.code == "UNIT_MISMATCH"]
    assert YINZHOU in warning.message and haishu in warning.message


def test_a_city_forwarding_its_districts_forms_is_the_city_and_not_warned(settings):
    city, district = "嘉兴市社区教育指导中心", "嘉兴市平湖市社区学院"
    outcome = Pipeline(settings).process(_mail(f"{city}+智慧助老材料+1个", ("嘉兴", "jxsqjy@163.com"),
                                               [("平湖市+案例.docx", build_case_form(unit=district))]), "1.eml")
    assert outcome.submission.unit == city
    assert "UNIT_MISMATCH" not in [d.code for d in outcome.defects]


def test_without_a_name_anywhere_but_the_signature_the_signature_names_the_unit(settings):
    body = "老师您好：\n附件为我单位报送的材料，请查收。\n\n杭州市上城区社区学院\n2022年4月20日"
    outcome = Pipeline(settings).process(_mail("智慧助老材料 1个", ("张老师", "sc@163.com"),
                                               [("案例.docx", build_case_form(unit=""))], body=body), "1.eml")
    assert outcome.submission.unit == "杭州市上城区社区学院"
    assert outcome.submission.unit_evidence == ["正文落款：杭州市上城区社区学院"]


def test_a_late_mail_is_told_it_went_to_the_coordinator_and_never_asked_to_resend(settings):
    late = build_mail(MailSpec(subject=f"{XIAOSHAN}+智慧助老材料+1个", sender=("萧山", "xssqxy@126.com"),
                               attachments=[(f"{XIAOSHAN}+案例.docx", build_case_form(unit=XIAOSHAN, contact_phone="1"))],
                               date=datetime(2022, 12, 3, 9, 0, tzinfo=CST)))
    outcome = Pipeline(settings).process(late, "late.eml")
    assert "LATE" in [d.code for d in outcome.defects]
    body = _body(outcome.reply_path)
    assert "转交征集工作组" in body and "2022年11月30日 23:59" in body
    assert "修改后重新发送" not in body and "重新完整发送" not in body and "请不必重新发送" in body


def test_a_defective_mail_moved_to_the_next_batch_is_asked_once_to_correct(settings):
    moved = build_mail(MailSpec(subject=f"{XIAOSHAN}+智慧助老材料+1个", sender=("萧山", "xssqxy@126.com"),
                                attachments=[(f"{XIAOSHAN}+案例.docx", build_case_form(unit=XIAOSHAN))],
                                date=datetime(2022, 5, 7, 9, 0, tzinfo=CST)))
    outcome = Pipeline(settings).process(moved, "moved.eml")
    codes = [d.code for d in outcome.defects]
    assert "LATE_BATCH" in codes and "SCAN_MISSING" in codes
    body = _body(outcome.reply_path)
    assert "已归入第二批处理" in body and "无需重新发送" not in body and "修改后重新发送" in body
