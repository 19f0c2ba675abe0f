"""普陀 统计表 as the notice prints it — two header rows, merged parents, labels broken over lines, units in
brackets — is accepted with its figures, however the unit kept the header; a column really left out is named."""

from __future__ import annotations

from datetime import datetime

import pytest

from ingest.config.settings import load_settings
from ingest.core.pipeline import Pipeline
from ingest.samples.mails import CST, MailSpec, build_mail
from ingest.samples.media import activity_photo
from ingest.samples.notice_tables import FIGURES, putuo_notice_pdf, putuo_notice_table
from ingest.samples.profiles import report_docx, seal_png

STREET = "长征镇"
EXPECTED = dict(zip(["辖区内居村委总数", "行动覆盖居村委数量", "区机构行动次数", "街镇机构行动次数", "居村委行动次数",
                     "配送资源数：线下课程", "配送资源数：数字资源", "配送资源数：读本（折页等）", "线下行动参与人次",
                     "线上人次", "宣传报道次数"], FIGURES))


@pytest.fixture(scope="module")
def photos():
    return [(f"活动照片{seed}.jpg", activity_photo(seed)) for seed in range(1, 6)]


@pytest.fixture
def judge(tmp_path, photos):
    settings = load_settings(None, db=f"sqlite:///{tmp_path / 'putuo.sqlite'}", outbox=tmp_path / "outbox",
                             profiles=["putuo-2024"])
    settings.data_dir = tmp_path / "data"
    pipeline = Pipeline(settings)

    def run(tables: list[tuple[str, bytes]]):
        attachments = [*tables, (f"{STREET}智慧助老总结报告.docx", report_docx(f"{STREET}2024年智慧助老行动总结报告", 1800)),
                       (f"{STREET}优秀案例.docx", report_docx(f"{STREET}优秀案例：手机课堂进睦邻点", 1500)), *photos]
        raw = build_mail(MailSpec(
            subject=f"{STREET}智慧助老行动统计表、总结报告及优秀案例", sender=(f"{STREET}社区学校", "czsqxx@163.com"),
            body=f"您好！\n附件为{STREET}统计表（Excel 及加盖电子章的 PDF）、总结报告、优秀案例及照片。",
            attachments=attachments, date=datetime(2024, 6, 20, 15, 0, tzinfo=CST),
            message_id=f"<pt-{abs(hash(tuple(n for n, _ in tables))) % 10**8}@163.com>"))
        return pipeline.process(raw, "inbox/putuo.eml")
    return run


def _sealed_pdf(figures: list | None = None, layout: str = "merged") -> tuple[str, bytes]:
    return (f"{STREET}智慧助老统计表（盖章）.pdf",
            putuo_notice_pdf(STREET, figures, seal=seal_png(f"{STREET}人民政府"), layout=layout))


def _stats(outcome):
    return [m.stats for m in outcome.submission.materials if m.stats is not None]


@pytest.mark.parametrize("layout, fmt", [("merged", "xlsx"), ("typed", "xlsx"), ("blank", "xlsx"),
                                         ("merged", "xls"), ("blank", "xls")])
def test_the_notices_table_is_accepted_with_its_figures_however_its_header_was_kept(judge, layout, fmt):
    table = (f"{STREET}智慧助老统计表.{fmt}", putuo_notice_table(STREET, layout=layout, fmt=fmt))
    outcome = judge([table, _sealed_pdf()])
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    stats = next(m.stats for m in outcome.submission.materials if m.kind == "stats")
    assert stats.rows[0].label == STREET and stats.rows[0].values == EXPECTED


@pytest.mark.parametrize("layout", ["merged", "blank", "typed"])
def test_the_notices_table_printed_to_a_sealed_pdf_alone_is_accepted_with_its_figures_read(judge, layout):
    outcome = judge([_sealed_pdf(layout=layout)])
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    [stats] = _stats(outcome)
    assert stats.read_from == "pdf" and stats.rows[0].label == STREET and stats.rows[0].values == EXPECTED


def test_a_figure_that_is_not_a_number_in_a_sealed_pdf_alone_is_named(judge):
    figures = list(FIGURES)
    figures[5] = "约40"  # 配送资源数：线下课程
    outcome = judge([_sealed_pdf(figures)])
    assert outcome.status == "defective"
    invalid = [d for d in outcome.defects if d.code == "STATS_INVALID"]
    assert len(invalid) == 1, invalid
    assert "“配送资源数：线下课程”填写的是“约40”" in invalid[0].message and STREET in invalid[0].message


def test_a_bad_figure_in_the_workbook_and_its_sealed_pdf_is_one_defect_from_the_workbook(judge):
    figures = list(FIGURES)
    figures[5] = "约40"
    table = (f"{STREET}智慧助老统计表.xlsx", putuo_notice_table(STREET, figures))
    outcome = judge([_sealed_pdf(figures), table])
    invalid = [d for d in outcome.defects if d.code == "STATS_INVALID"]
    assert len(invalid) == 1 and ".xlsx" in invalid[0].message, invalid
    assert [s.read_from for s in _stats(outcome)] == ["workbook"]


def test_a_sealed_pdf_alone_whose_columns_are_not_all_read_stays_a_copy_without_a_defect(judge):
    name, _ = _sealed_pdf()
    outcome = judge([(name, putuo_notice_pdf(STREET, seal=seal_png(f"{STREET}人民政府"), drop="区机构"))])
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    assert _stats(outcome) == []


def test_a_column_really_left_out_is_named_in_the_notices_words(judge):
    table = (f"{STREET}智慧助老统计表.xlsx", putuo_notice_table(STREET, drop="读本\n（折页等）"))
    outcome = judge([table, _sealed_pdf()])
    assert outcome.status == "defective"
    invalid = [d for d in outcome.defects if d.code == "STATS_INVALID"]
    assert len(invalid) == 1 and "没有找到“配送资源数：读本（折页等）”一栏" in invalid[0].message, invalid
