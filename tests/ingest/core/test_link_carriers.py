"""A share link and its code are found and paired wherever and however a unit writes them.

Each mail is a course submission (the course form, video ticked) plus the link
in one carrier, run through the real Pipeline. The matrix of carriers and
writings leaves the stamped version out (reading a scan costs a worker process
per mail) and judges the LINK_* defects: none for a clean link, the one that
names it for a broken one. With the form's electronically sealed PDF added, a
clean link in each carrier is accepted outright.
"""

from __future__ import annotations

import hashlib

import pytest

from ingest.core.pipeline import Pipeline
from ingest.samples.mails import MailSpec, build_mail
from ingest.samples.scans import text_pdf
from tests.ingest.core.link_carriers import (APART, BROKEN, CODE_A, CODE_B, COURSE, HYPERLINKED, LINE_CARRIERS,
                                        TABLE_CARRIERS, UNIT, URL_A, URL_B, WRITINGS, Carried, course_form,
                                        table_rows)
from tests.support.settings import folder_settings


@pytest.fixture(scope="module")
def sealed_pdf() -> bytes:
    return text_pdf("course", COURSE, UNIT, seal=True)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """One pipeline for the module: every mail is another unit's message, and the sealed PDF is read once."""
    return Pipeline(folder_settings(tmp_path_factory.mktemp("carriers")))


def _process(pipeline, carried: Carried, tag: str, sealed: bytes | None = None):
    stamped = [(f"{UNIT}+课程资源（电子章）.pdf", sealed)] if sealed else []
    raw = build_mail(MailSpec(
        subject=f"{UNIT}+智慧助老材料+1个", body=carried.body, html=carried.html,
        attachments=[(f"{UNIT}+课程资源.docx", course_form(carried.form_link_text)), *stamped, *carried.attachments],
        message_id=f"<carrier-{hashlib.sha1(tag.encode()).hexdigest()[:16]}@163.com>"))
    return pipeline.process(raw, f"{tag}.eml")


def _link_defects(outcome) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in outcome.defects if d.code.startswith("LINK_")]


def _pairs(outcome) -> list[tuple[str, str | None]]:
    return [(link.url, link.code and link.code.lower()) for link in outcome.submission.links]


def _accepted_with(outcome, expected: list[tuple[str, str]]) -> None:
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    assert _pairs(outcome) == expected


def _clean(outcome, expected: list[tuple[str, str]]) -> None:
    assert _link_defects(outcome) == [] and _pairs(outcome) == expected


@pytest.mark.parametrize("writing", list(WRITINGS))
@pytest.mark.parametrize("carrier", list(LINE_CARRIERS))
def test_clean_link_and_code_in_any_carrier_and_writing_gets_no_link_defect(pipeline, carrier, writing):
    carried = LINE_CARRIERS[carrier](WRITINGS[writing](URL_A, CODE_A))
    _clean(_process(pipeline, carried, f"{carrier}-{writing}"), [(URL_A, CODE_A)])


@pytest.mark.parametrize("broken", list(BROKEN))
@pytest.mark.parametrize("carrier", list(LINE_CARRIERS))
def test_broken_link_in_any_carrier_gets_the_one_defect_naming_it(pipeline, carrier, broken):
    writing, code = BROKEN[broken]
    outcome = _process(pipeline, LINE_CARRIERS[carrier](writing(URL_A, CODE_A)), f"{carrier}-{broken}")
    [(found, message)] = _link_defects(outcome)
    assert found == code and "pan.baidu.com/s/1AbCdEfGhIj" in message


@pytest.mark.parametrize("writing", list(HYPERLINKED))
def test_link_behind_words_in_a_word_document_takes_the_code_written_beside_it(pipeline, writing):
    _clean(_process(pipeline, HYPERLINKED[writing](URL_A, CODE_A), f"hyperlink-{writing}"), [(URL_A, CODE_A)])


@pytest.mark.parametrize("apart", list(APART))
def test_code_written_in_another_carrier_than_its_link_is_paired(pipeline, apart):
    _clean(_process(pipeline, APART[apart](URL_A, CODE_A), f"apart-{apart}"), [(URL_A, CODE_A)])


@pytest.mark.parametrize("labelled", [False, True], ids=["bare-code-column", "labelled-code-cells"])
@pytest.mark.parametrize("carrier", list(TABLE_CARRIERS))
def test_courses_one_row_each_pair_each_link_with_the_code_of_its_row(pipeline, carrier, labelled):
    carried = TABLE_CARRIERS[carrier](table_rows(labelled=labelled))
    _clean(_process(pipeline, carried, f"{carrier}-{labelled}"), [(URL_A, CODE_A), (URL_B, CODE_B)])


@pytest.mark.parametrize("carrier", list(TABLE_CARRIERS))
def test_row_without_its_code_is_the_one_link_named_and_takes_no_other_rows_code(pipeline, carrier):
    outcome = _process(pipeline, TABLE_CARRIERS[carrier](table_rows(code_a=None)), f"{carrier}-missing")
    assert _pairs(outcome) == [(URL_A, None), (URL_B, CODE_B)]
    [(code, message)] = _link_defects(outcome)
    assert code == "LINK_CODE_MISSING" and URL_A in message


# One writing per carrier (in turn), each carrier once: the whole submission is accepted.
ACCEPTED = [(carrier, list(WRITINGS)[i % len(WRITINGS)]) for i, carrier in enumerate(LINE_CARRIERS)]


@pytest.mark.parametrize("carrier,writing", ACCEPTED)
def test_clean_submission_with_its_link_in_any_carrier_is_accepted(pipeline, sealed_pdf, carrier, writing):
    carried = LINE_CARRIERS[carrier](WRITINGS[writing](URL_A, CODE_A))
    _accepted_with(_process(pipeline, carried, f"sealed-{carrier}", sealed_pdf), [(URL_A, CODE_A)])


@pytest.mark.parametrize("carrier", list(TABLE_CARRIERS))
def test_clean_submission_with_a_table_of_links_in_any_carrier_is_accepted(pipeline, sealed_pdf, carrier):
    outcome = _process(pipeline, TABLE_CARRIERS[carrier](table_rows()), f"sealed-{carrier}", sealed_pdf)
    _accepted_with(outcome, [(URL_A, CODE_A), (URL_B, CODE_B)])
