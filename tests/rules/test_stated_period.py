"""A recurring report's own period decides its filing and its lateness (台州 quarterly tables).

The tables are built as .xlsx in code, read by the real classifier and the
taizhou-2021 profile's statistics reader, then filed by `assign_batch`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from ingest.core.classify import read_material
from ingest.config.settings import load_settings
from ingest.core.materials import AttachmentReader, enrich
from ingest.samples.mails import CST, MailSpec, build_mail
from ingest.samples.tables import taizhou_table
from parsers.email import parse_message
from parsers.facts import Attachment, Material, SubjectInfo, Submission
from parsers.period import Quarter, read_quarter
from rules import applies
from rules.campaign import Batch
from rules.timing import assign_batch, check_late, check_late_batch

TAIZHOU, = load_settings(None, profiles=["taizhou-2021"]).profiles()
AFTER_Q3 = datetime(2021, 10, 8, 10, 0, tzinfo=CST)
BEFORE_Q3 = datetime(2021, 9, 20, 10, 0, tzinfo=CST)


def _materials(heading: str, filename: str = "黄岩区进展情况统计表.xlsx") -> list[Material]:
    attachments = [Attachment(filename, "application/vnd.ms-excel", taizhou_table("黄岩区教育局", heading))]
    materials = [read_material(a) for a in attachments]
    enrich(materials, AttachmentReader(attachments), TAIZHOU)
    assert materials[0].kind == "stats"
    return materials


def _judged(sent: datetime, materials: list[Material], campaign=TAIZHOU):
    filed = assign_batch(sent, campaign, "", materials)
    sub = Submission(message=parse_message(build_mail(MailSpec(subject="统计表", sender=("黄岩区教育局", "a@126.com")))),
                     subject=SubjectInfo(raw="统计表"), materials=materials, batch=filed.batch,
                     late_batch=filed.late_batch, late=filed.late, sent_at=sent)
    return filed, [d for rule in (check_late, check_late_batch) if applies(rule, campaign) for d in rule(sub, campaign)]


@pytest.mark.parametrize("heading", ["2021年第3季度", "2021年三季度", "第三季度", "7-9月", "2021.7-2021.9"])
def test_a_third_quarter_table_sent_after_its_deadline_is_filed_under_it_and_late(heading):
    filed, defects = _judged(AFTER_Q3, _materials(heading))
    assert (filed.batch, filed.late, filed.late_batch) == ("2021年第3季度", True, False)
    assert [d.code for d in defects] == ["LATE"]
    assert "2021年第3季度" in defects[0].message and "2021年9月28日 23:59" in defects[0].message
    assert "写明为2021年第3季度" in filed.note and "本应归入2021年第4季度" in filed.note and "逾期" in filed.note


def test_a_third_quarter_table_sent_before_its_deadline_is_on_time():
    filed, defects = _judged(BEFORE_Q3, _materials("2021年第3季度"))
    assert (filed.batch, filed.late, filed.note) == ("2021年第3季度", False, None)
    assert defects == []


def test_a_table_that_states_no_period_is_filed_by_its_sending_date_as_before():
    filed, defects = _judged(AFTER_Q3, _materials("____年第__季度", "进展情况统计表.xlsx"))
    assert (filed.batch, filed.late, filed.note) == ("2021年第4季度", False, None)
    assert defects == []


def test_the_period_in_the_file_name_counts_when_the_heading_leaves_it_blank():
    filed, _ = _judged(AFTER_Q3, _materials("____年第__季度", "黄岩区2021年第三季度进展情况统计表.xlsx"))
    assert (filed.batch, filed.late) == ("2021年第3季度", True)


def test_a_fourth_quarter_table_without_its_year_sent_in_january_is_last_years():
    filed, _ = _judged(datetime(2022, 1, 5, 9, 0, tzinfo=CST), _materials("第四季度"))
    assert (filed.batch, filed.late) == ("2021年第4季度", True)


def test_a_period_outside_the_campaign_is_filed_by_date_and_noted_for_the_coordinator():
    filed, _ = _judged(AFTER_Q3, _materials("2020年第4季度"))
    assert (filed.batch, filed.late) == ("2021年第4季度", False)
    assert "2020年第4季度" in filed.note and "不是本征集的期次" in filed.note


def test_a_profile_that_warns_of_late_batches_only_files_the_late_quarter_with_a_warning():
    warn_only = replace(TAIZHOU, checks=["late_batch", "stats_invalid"])
    filed, defects = _judged(AFTER_Q3, _materials("2021年第3季度"), warn_only)
    assert filed.batch == "2021年第3季度" and [d.code for d in defects] == ["LATE_BATCH"]
    late_batch = next(d for d in defects if d.code == "LATE_BATCH")
    assert late_batch.severity == "warning" and "2021年第3季度" in late_batch.message


def test_a_campaign_whose_batches_are_no_quarters_files_a_table_stating_one_by_date_without_a_note():
    batches = replace(TAIZHOU, batches=[Batch("第一批", datetime(2021, 9, 28, 23, 59, 59, tzinfo=CST)),
                                         Batch("第二批", datetime(2021, 12, 28, 23, 59, 59, tzinfo=CST))])
    filed, _ = _judged(AFTER_Q3, _materials("2021年第3季度"), batches)
    assert (filed.batch, filed.late, filed.note) == ("第二批", False, None)


@pytest.mark.parametrize("text, quarter", [
    ("2021年度第三季度", Quarter(2021, 3)), ("２０２１年第３季度", Quarter(2021, 3)), ("2021年7月至9月", Quarter(2021, 3)),
    ("2021/07-09", Quarter(2021, 3)), ("7～9月份", Quarter(None, 3)), ("2021年1-3月", Quarter(2021, 1)),
    ("填报日期：2021年10月8日", None), ("1-3季度", None), ("1-5月", None), ("____年第__季度", None),
    ("2021年第二季度 第三季度", None),
])
def test_a_quarter_is_read_however_it_is_written_and_not_from_a_date_or_a_span(text, quarter):
    assert read_quarter(text) == quarter
