"""A notice no built-in profile resembles, judged by configuration alone.

A city's monthly report of volunteer service for the elderly: a CSV table
of volunteer teams (not a form, not a quarterly table), a short 服务简报,
a subject without a count under its own keyword, a deadline on the 5th of
every month.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from ingest.config.settings import load_settings
from ingest.core.pipeline import Pipeline
from ingest.samples.mails import CST, MailSpec, build_mail
from ingest.samples.profiles import report_docx

PROFILE = """
name = "gulou-volunteers-2023"
title = "鼓楼区助老志愿服务月报"
notice = "鼓教社〔2023〕2号"
keyword = "助老志愿服务"
subject = "unit"
require_scan = false
checks = ["subject_format", "late", "no_attachments", "unreadable", "stats_missing", "stats_invalid",
          "stats_total", "report_missing", "report_length"]

[recurring]
name = "{year}年{month}月"
day = 5
from = "2023-02"
until = "2023-12"

[stats]
title = "助老志愿服务情况表"
label_column = "志愿服务队"
total_row = true
columns = [
  { name = "志愿者人数", labels = ["志愿者（人）"] },
  { name = "服务次数" },
  { name = "服务时长（小时）", labels = ["服务时长"] },
  { name = "服务老年人（人次）" },
]

[[reports]]
name = "服务简报"
name_words = ["简报"]
max_chars = 600
"""

TEAMS = [["鼓楼街道银龄帮帮团", "18", "12", "46", "230"], ["华林街道青年志愿者", "25", "9", "38", "180"]]


def _table(total: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["鼓楼区助老志愿服务情况表（2023年2月）"])
    writer.writerow(["志愿服务队", "志愿者（人）", "服务次数", "服务时长", "服务老年人（人次）"])
    writer.writerows(TEAMS)
    writer.writerow(["合计", *total])
    return out.getvalue().encode("gbk")


def _mail(subject: str, total: list[str], brief_chars: int, day: int = 3) -> bytes:
    return build_mail(MailSpec(
        subject=subject, sender=("鼓楼区社区学院", "glsqxy@163.com"),
        body="您好！附件为2月助老志愿服务情况表和服务简报。",
        attachments=[("志愿服务情况表.csv", _table(total)),
                     ("2月服务简报.docx", report_docx("鼓楼区2月助老志愿服务简报", brief_chars))],
        date=datetime(2023, 3, day, 10, 0, tzinfo=CST), message_id=f"<gl-{len(subject)}-{day}@163.com>"))


@pytest.fixture
def pipeline(tmp_path):
    (tmp_path / "鼓楼志愿服务.toml").write_text(PROFILE, encoding="utf-8")
    config = tmp_path / "intake.toml"
    config.write_text('profiles = ["鼓楼志愿服务.toml"]\n[storage]\n'
                      f'data_dir = "{(tmp_path / "data").as_posix()}"\n', encoding="utf-8")
    return Pipeline(load_settings(config, db=f"sqlite:///{tmp_path / 'db.sqlite'}", outbox=tmp_path / "outbox"))


def test_a_profile_written_by_a_coordinator_accepts_its_notices_correct_mail(pipeline):
    outcome = pipeline.process(_mail("鼓楼区社区学院+助老志愿服务", ["43", "21", "84", "410"], 400), "inbox/1.eml")
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    assert outcome.submission.profile == "gulou-volunteers-2023" and outcome.submission.batch == "2023年3月"
    stats = next(m for m in outcome.submission.materials if m.kind == "stats").stats
    assert [r.label for r in stats.body()] == ["鼓楼街道银龄帮帮团", "华林街道青年志愿者"]
    assert next(m for m in outcome.submission.materials if m.kind == "report").role == "服务简报"


def test_a_profile_written_by_a_coordinator_judges_by_its_own_limits_and_words(pipeline):
    outcome = pipeline.process(_mail("鼓楼区社区学院2月报表", ["43", "21", "80", "410"], 800, day=6), "inbox/2.eml")
    codes = sorted(d.code for d in outcome.defects)
    assert codes == ["STATS_TOTAL_MISMATCH", "SUBJECT_FORMAT", "TEXT_TOO_LONG"]
    by_code = {d.code: d for d in outcome.defects}
    assert "服务时长（小时）" in by_code["STATS_TOTAL_MISMATCH"].message and "84" in by_code["STATS_TOTAL_MISMATCH"].message
    assert "“助老志愿服务”字样" in by_code["SUBJECT_FORMAT"].message
    assert "共 800 字" in by_code["TEXT_TOO_LONG"].message and "600 字" in by_code["TEXT_TOO_LONG"].message
    assert outcome.submission.batch == "2023年4月"  # after the 5th: March's deadline has passed
