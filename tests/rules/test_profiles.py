"""Each built-in profile judges its own notice's mail: what it checks, what it leaves alone.

Mail is built as the units of each notice send it (ingest/samples/profiles.py)
and runs through the real pipeline, one profile active at a time.
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime

import pytest

from ingest.core.pipeline import Pipeline
from ingest.samples import profiles as samples
from ingest.samples.mails import CST
from ingest.samples.media import activity_photo, mp4_video, recompressed
from tests.support.settings import folder_settings


@pytest.fixture
def judge(tmp_path):
    def run(profile: str, raw: bytes):
        return Pipeline(folder_settings(tmp_path, [profile], profile)).process(raw, f"inbox/{profile}.eml")
    return run


def _codes(outcome) -> list[str]:
    return [d.code for d in outcome.defects]


def _one(outcome, code: str):
    found = [d for d in outcome.defects if d.code == code]
    assert found, (code, [(d.code, d.message) for d in outcome.defects])
    return found[0]


def _body(path) -> str:
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default).get_body(("plain",)).get_content()


# ---------------------------------------------------------------- taizhou


def test_taizhou_accepts_a_correct_quarterly_table_without_any_subject_or_form_checks(judge):
    outcome = judge("taizhou-2021", samples.taizhou_mail())
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    assert outcome.submission.profile == "taizhou-2021"
    assert outcome.submission.batch == "2021年第2季度"
    assert outcome.submission.unit == "黄岩区教育局"
    assert [m.kind for m in outcome.submission.materials] == ["stats"]


def test_taizhou_names_the_column_the_stated_and_the_computed_total_of_a_wrong_total_row(judge):
    outcome = judge("taizhou-2021", samples.taizhou_mail("路桥区教育局", total=[27, 970, 18, 550, 6, 3, 2]))
    assert outcome.status == "defective"
    wrong = [d for d in outcome.defects if d.code == "STATS_TOTAL_MISMATCH"]
    assert len(wrong) == 1
    assert "优秀工作案例（个）" in wrong[0].message and "填写为 2" in wrong[0].message and "相加为 3" in wrong[0].message
    assert "第9行" in wrong[0].where and "H列" in wrong[0].where


def test_taizhou_reports_each_figure_that_is_not_a_whole_number_with_sheet_row_and_column(judge):
    rows = [[12, "约20", 8, 240, 3, 2, 1], [6, 180, "-3", 150, 1, 0, 1], [4, 120, 3, 96, "12.5", 1, 0],
            [5, 210, 2, "", 2, 0, 1]]
    outcome = judge("taizhou-2021", samples.taizhou_mail("椒江区教育局", rows=rows, total=[27, 530, 13, 486, 6, 3, 3]))
    invalid = [d for d in outcome.defects if d.code == "STATS_INVALID"]
    assert len(invalid) == 4
    messages = " ".join(d.message for d in invalid)
    assert "“约20”" in messages and "“-3”" in messages and "“12.5”" in messages and "为空" in messages
    assert any("进展情况统计表 第5行" in d.where and "C列" in d.where for d in invalid)
    assert "STATS_TOTAL_MISMATCH" not in _codes(outcome)  # columns with a bad figure are not summed


def test_taizhou_without_its_table_is_stats_missing(judge):
    outcome = judge("taizhou-2021", samples.chongqing_mail("台州市黄岩区教育局"))
    assert "STATS_MISSING" in _codes(outcome)
    assert not [c for c in _codes(outcome) if c.startswith("SUBJECT_")]


# ---------------------------------------------------------------- putuo


@pytest.fixture(scope="module")
def putuo_photos():
    return [activity_photo(seed) for seed in range(1, 6)]


def test_putuo_accepts_a_sealed_table_short_report_one_case_five_photos_and_a_full_hd_video(judge, putuo_photos):
    outcome = judge("putuo-2024", samples.putuo_mail(photos=putuo_photos, video=mp4_video(1920, 1080)))
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    kinds = sorted(m.kind for m in outcome.submission.materials)
    assert kinds == ["photo"] * 5 + ["report", "report", "stats", "video"]
    assert {m.role for m in outcome.submission.materials if m.kind == "report"} == {"总结报告", "优秀案例"}


def test_putuo_judges_report_length_photos_duplicates_video_and_the_electronic_seal(judge, putuo_photos):
    photos = putuo_photos[:3] + [recompressed(putuo_photos[0])]  # 4 photos, one a re-compressed duplicate
    raw = samples.putuo_mail("真如镇", photos=photos, video=mp4_video(1280, 720), report_chars=2300, sealed=False,
                             figures=[20, 24, 3, 9, 30, 12, 60, 800, 2100, 5400, 6])
    outcome = judge("putuo-2024", raw)
    assert outcome.status == "defective"
    too_long = _one(outcome, "TEXT_TOO_LONG")
    assert "共 2300 字" in too_long.message and "2000 字" in too_long.message
    assert "5 张" in _one(outcome, "PHOTO_COUNT").message and "4 张" in _one(outcome, "PHOTO_COUNT").message
    duplicate = _one(outcome, "PHOTO_DUPLICATE")
    assert "活动照片4.jpg" in duplicate.message and "活动照片1.jpg" in duplicate.message
    assert _one(outcome, "PHOTO_TOO_SMALL").where == "活动照片4.jpg"
    assert "分辨率 1280×720 低于要求的 1920×1080" in _one(outcome, "VIDEO_SPEC").message
    assert _one(outcome, "STAMP_MISSING").where == "真如镇智慧助老统计表.xlsx"
    coverage = _one(outcome, "STATS_INVALID")
    assert "行动覆盖居村委数量" in coverage.message and "24" in coverage.message and "20" in coverage.message


def test_putuo_wants_its_report_and_only_one_case(judge, putuo_photos):
    raw = samples.putuo_mail(photos=putuo_photos)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    attachments = [(p.get_filename(), p.get_content()) for p in message.iter_attachments()
                   if "总结报告" not in p.get_filename()]
    attachments.append(("长征镇优秀案例二.docx", samples.report_docx("长征镇优秀案例：银发数字课堂", 900)))
    from ingest.samples.mails import MailSpec, build_mail
    outcome = judge("putuo-2024", build_mail(MailSpec(subject="长征镇智慧助老统计表及优秀案例",
                                                      sender=("长征镇社区学校", "czsqxx@163.com"),
                                                      attachments=attachments)))
    assert "《总结报告》" in _one(outcome, "REPORT_MISSING").message
    assert "2份" in _one(outcome, "TOO_MANY_ITEMS").message


# ---------------------------------------------------------------- shandong


def test_shandong_has_no_count_in_its_subject_and_names_attachments_unit_plus_category(judge):
    outcome = judge("shandong-2021", samples.shandong_mail())
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    assert outcome.submission.subject.declared_count is None
    assert outcome.submission.batch == "第一批"


def test_shandong_makes_an_expiring_share_an_error(judge):
    outcome = judge("shandong-2021", samples.shandong_mail("青岛市社区教育指导服务中心", expiring=True))
    expires = _one(outcome, "LINK_EXPIRES")
    assert expires.severity == "error" and "有效期7天" in expires.message
    assert outcome.status == "defective"


def test_the_same_expiring_share_is_only_a_warning_under_liaoning(judge):
    outcome = judge("liaoning-2022", samples.shandong_mail("青岛市社区教育指导服务中心", expiring=True))
    assert _one(outcome, "LINK_EXPIRES").severity == "warning"
    assert "SUBJECT_COUNT_MISSING" in _codes(outcome)  # Liaoning's subject carries a count


# ---------------------------------------------------------------- chongqing, moe, liaoning


def test_chongqing_accepts_an_annual_summary_and_misses_one_that_is_absent(judge):
    assert judge("chongqing-2021", samples.chongqing_mail()).status == "accepted"
    outcome = judge("chongqing-2021", samples.taizhou_mail("渝中区社区教育学院"))
    assert "REPORT_MISSING" in _codes(outcome) and "年度工作总结" in _one(outcome, "REPORT_MISSING").message


def test_chongqing_deadline_runs_to_the_end_of_december_31_beijing_time(judge):
    in_time = judge("chongqing-2021", samples.chongqing_mail(date=datetime(2021, 12, 31, 23, 59, 30, tzinfo=CST)))
    late = judge("chongqing-2021", samples.chongqing_mail("江北区社区教育学院",
                                                          date=datetime(2022, 1, 1, 0, 0, 30, tzinfo=CST)))
    assert in_time.status == "accepted" and "LATE" in _codes(late)


def test_moe_prescribes_no_subject(judge):
    outcome = judge("moe-2021", samples.moe_mail())
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    assert not [c for c in _codes(outcome) if c.startswith("SUBJECT_") or c == "COUNT_MISMATCH"]


def test_liaoning_checks_the_summary_table_and_reminds_of_the_paper_originals(judge):
    outcome = judge("liaoning-2022", samples.liaoning_mail(listed_extra="老年人防诈骗微课"))
    assert outcome.status == "accepted"
    mismatch = _one(outcome, "SUMMARY_MISMATCH")
    assert mismatch.severity == "warning" and "《老年人防诈骗微课》" in mismatch.message
    assert "沈阳市皇姑区黄河北大街50号辽宁开放大学3号楼404室" in _body(outcome.reply_path)


def test_liaoning_summary_that_lists_exactly_what_is_sent_is_silent(judge):
    outcome = judge("liaoning-2022", samples.liaoning_mail())
    assert outcome.status == "accepted" and "SUMMARY_MISMATCH" not in _codes(outcome)


def test_taizhou_does_not_fault_a_total_formula_no_office_suite_has_computed(judge):
    import io

    from openpyxl import load_workbook

    from ingest.samples.mails import MailSpec, build_mail
    from ingest.samples.tables import taizhou_table
    book = load_workbook(io.BytesIO(taizhou_table("温岭市教育局")))
    for column in "BCDEFGH":
        book.active[f"{column}9"] = f"=SUM({column}5:{column}8)"
    out = io.BytesIO()
    book.save(out)
    raw = build_mail(MailSpec(subject="温岭市教育局2021年第二季度进展情况统计表", sender=("温岭市教育局", "wljyj@126.com"),
                              attachments=[("温岭市进展情况统计表.xlsx", out.getvalue())],
                              date=datetime(2021, 6, 20, 9, 0, tzinfo=CST)))
    outcome = judge("taizhou-2021", raw)
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
