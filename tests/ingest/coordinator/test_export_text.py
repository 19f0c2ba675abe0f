"""A form filled in with formulas reaches the coordinator's workbook (intake export, the digest) as text."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from ingest.coordinator import actions as coordinator
from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form
from ingest.samples.mails import MailSpec, build_mail
from notifier.workbook import MATERIAL_HEADERS

UNIT = "杭州市西湖区社区学院"
LINK = '=HYPERLINK("http://evil.example/x","点击核对")'


def test_a_forms_fields_written_as_formulas_reach_the_workbook_as_text(settings):
    pipeline = Pipeline(settings)
    form = build_case_form(unit=UNIT, leader=LINK, leader_phone="-2+3", contact="+1+1", contact_phone="@SUM(A1)")
    raw = build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", attachments=[(f"{UNIT}+案例.docx", form)],
                              message_id="<formula-1@163.com>"))
    assert pipeline.process(raw, "formula.eml").submission_id
    data, count = coordinator.export(pipeline)
    book = load_workbook(io.BytesIO(data))
    assert count == 1
    assert not [c.coordinate for sheet in book.worksheets for row in sheet.iter_rows() for c in row
                if c.data_type == "f"]
    row = dict(zip(MATERIAL_HEADERS, book["信息汇总表"][2]))
    for header, text in (("负责人", LINK), ("负责人电话", "-2+3"), ("联系人", "+1+1"), ("联系人电话", "@SUM(A1)")):
        assert row[header].value == text and row[header].data_type == "s", header
