"""A Taizhou 进展情况统计表 sent only as the PDF printed from it: its quarter, units and 合计 are read and judged."""

from __future__ import annotations

from datetime import datetime

import pytest

from ingest.config.settings import load_settings
from ingest.core.pipeline import Pipeline
from ingest.samples.mails import CST, MailSpec, build_mail
from ingest.samples.notice_tables import taizhou_table_pdf
from ingest.samples.profiles import seal_png
from ingest.samples.tables import TAIZHOU_ROWS, TAIZHOU_UNITS

BUREAU, QUARTER = "黄岩区教育局", "2021年第二季度"


@pytest.fixture
def judge(tmp_path):
    settings = load_settings(None, db=f"sqlite:///{tmp_path / 'tz.sqlite'}", outbox=tmp_path / "outbox",
                             profiles=["taizhou-2021"])
    settings.data_dir = tmp_path / "data"

    def run(pdf: bytes):
        raw = build_mail(MailSpec(
            subject=f"{BUREAU}{QUARTER}智慧助老行动进展情况统计表", sender=(BUREAU, "hyjyj@126.com"),
            body=f"您好！\n附件是{BUREAU}{QUARTER}进展情况统计表（盖章 PDF），请查收。",
            attachments=[(f"{BUREAU}{QUARTER}进展情况统计表（盖章）.pdf", pdf)],
            date=datetime(2021, 6, 25, 16, 0, tzinfo=CST), message_id=f"<tzpdf-{abs(hash(pdf)) % 10**8}@126.com>"))
        return Pipeline(settings).process(raw, "inbox/taizhou.eml")
    return run


def test_a_quarterly_table_printed_to_pdf_alone_is_read_with_its_units_and_total(judge):
    outcome = judge(taizhou_table_pdf(BUREAU, QUARTER, seal=seal_png(BUREAU)))
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    [stats] = [m.stats for m in outcome.submission.materials if m.stats is not None]
    assert stats.read_from == "pdf" and stats.period == "2021年第2季度"
    assert [r.label for r in stats.body()] == TAIZHOU_UNITS
    assert [list(r.values.values()) for r in stats.body()] == TAIZHOU_ROWS
    assert list(stats.total().values.values()) == [sum(c) for c in zip(*TAIZHOU_ROWS)]


def test_a_wrong_total_in_a_quarterly_table_printed_to_pdf_is_named(judge):
    outcome = judge(taizhou_table_pdf(BUREAU, QUARTER, total=[27, 960, 18, 550, 6, 3, 3]))
    mismatches = [d for d in outcome.defects if d.code == "STATS_TOTAL_MISMATCH"]
    assert len(mismatches) == 1, outcome.defects
    assert "“应用类短期培训（人次）”填写为 960，但各行相加为 970" in mismatches[0].message
