"""A stamped document is not automatically the stamped form, and one mistake is told once (issue 21).

Real files through the whole pipeline: the cover letter is rendered, sealed
and read by Tesseract; the export is a text PDF as Word saves it.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail
from ingest.samples.paper import scanned, to_pdf
from ingest.samples.scans import render_cover_letter, render_form_pages, text_pdf

UNIT = "杭州市西湖区老年大学"
NAME = "银龄数字课堂：社区老年人智能手机应用培训"
WORD = f"{UNIT}+案例申报表.docx"
LETTER = f"{UNIT}+报送函（盖章）.pdf"
SCAN = f"{UNIT}+案例申报表（盖章）.pdf"


@pytest.fixture(scope="module")
def letter() -> bytes:
    """The 报送函 on red letterhead, naming the form in its text and its 附件 list, sealed and scanned."""
    return to_pdf([scanned(render_cover_letter(UNIT, [("case", NAME)]), skew=1.0, jpeg_quality=75)])


@pytest.fixture(scope="module")
def stamped_scan() -> bytes:
    return to_pdf([scanned(render_form_pages("case", NAME, UNIT)[0], skew=-0.8, jpeg_quality=75)])


def _process(settings, attachments: list[tuple[str, bytes]], tag: str):
    raw = build_mail(MailSpec(
        subject=f"{UNIT}+智慧助老材料+1个", attachments=attachments,
        date=datetime(2022, 4, 20, 10, 30, tzinfo=CST), message_id=f"<one-cause-{tag}@163.com>"))
    return Pipeline(settings).process(raw, f"{tag}.eml")


def _errors(outcome) -> list[tuple[str, str]]:
    return [(d.code, d.where) for d in outcome.defects if d.severity == "error"]


def test_a_stamped_cover_letter_in_place_of_the_scan_is_scan_missing_and_nothing_else(settings, letter):
    outcome = _process(settings, [(WORD, build_case_form(name=NAME, unit=UNIT)), (LETTER, letter)], "letter")
    assert _errors(outcome) == [("SCAN_MISSING", WORD)], [(d.code, d.message) for d in outcome.defects]
    [word] = [m for m in outcome.submission.materials if m.filename == WORD]
    assert word.paired_with == []


def test_a_cover_letter_sent_with_the_form_and_its_stamped_scan_is_a_welcome_extra(settings, letter, stamped_scan):
    outcome = _process(settings, [(WORD, build_case_form(name=NAME, unit=UNIT)), (LETTER, letter),
                                  (SCAN, stamped_scan)], "letter-extra")
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    [word] = [m for m in outcome.submission.materials if m.filename == WORD]
    assert word.paired_with == [SCAN]


def test_a_pdf_saved_from_word_in_place_of_the_word_file_is_word_missing_alone(settings, stamped_scan):
    export = f"{UNIT}+案例申报表.pdf"
    outcome = _process(settings, [(export, text_pdf("case", NAME, UNIT)), (SCAN, stamped_scan)], "export")
    assert _errors(outcome) == [("WORD_MISSING", export)], [(d.code, d.message) for d in outcome.defects]
    [defect] = [d for d in outcome.defects if d.code == "WORD_MISSING"]
    assert "可编辑的Word版" in defect.message
