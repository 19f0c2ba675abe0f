"""A share link and its code are found and paired wherever and however a unit writes them.

Each mail is a clean course submission (the course form and its electronically
sealed PDF) plus the link in one carrier, run through the real Pipeline: a
clean link in any carrier and any writing is accepted with no LINK_* defect;
a broken one gets the one defect that names it.
"""

from __future__ import annotations

import hashlib

import pytest

from ingest.pipeline import Pipeline
from ingest.samples.mails import MailSpec, build_mail
from ingest.samples.scans import text_pdf
from tests.ingest.link_carriers import (BROKEN, CODE_A, CODE_B, COURSE, HYPERLINKED, LINE_CARRIERS, TABLE_CARRIERS,
                                        UNIT, URL_A, URL_B, WRITINGS, Carried, course_form, table_rows)


@pytest.fixture(scope="module")
def sealed_pdf() -> bytes:
    return text_pdf("course", COURSE, UNIT, seal=True)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """One file store and page cache for the module: the same sealed PDF is read once."""
    return tmp_path_factory.mktemp("carriers")


def _process(settings, data_dir, sealed_pdf, carried: Carried, tag: str):
    settings.data_dir = data_dir
    raw = build_mail(MailSpec(
        subject=f"{UNIT}+智慧助老材料+1个", body=carried.body, html=carried.html,
        attachments=[(f"{UNIT}+课程资源.docx", course_form(carried)),
                     (f"{UNIT}+课程资源（电子章）.pdf", sealed_pdf), *carried.attachments],
        message_id=f"<carrier-{hashlib.sha1(tag.encode()).hexdigest()[:16]}@163.com>"))
    return Pipeline(settings).process(raw, f"{tag}.eml")


def _link_defects(outcome) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in outcome.defects if d.code.startswith("LINK_")]


def _pairs(outcome) -> list[tuple[str, str | None]]:
    return [(link.url, link.code and link.code.lower()) for link in outcome.submission.links]


def _accepted_with(outcome, expected: list[tuple[str, str]]) -> None:
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    assert _pairs(outcome) == expected


@pytest.mark.parametrize("writing", list(WRITINGS))
@pytest.mark.parametrize("carrier", list(LINE_CARRIERS))
def test_clean_link_and_code_in_any_carrier_and_writing_is_accepted(settings, data_dir, sealed_pdf, carrier, writing):
    carried = LINE_CARRIERS[carrier](WRITINGS[writing](URL_A, CODE_A))
    _accepted_with(_process(settings, data_dir, sealed_pdf, carried, f"{carrier}-{writing}"), [(URL_A, CODE_A)])


@pytest.mark.parametrize("broken", list(BROKEN))
@pytest.mark.parametrize("carrier", list(LINE_CARRIERS))
def test_broken_link_in_any_carrier_gets_the_one_defect_naming_it(settings, data_dir, sealed_pdf, carrier, broken):
    writing, code = BROKEN[broken]
    outcome = _process(settings, data_dir, sealed_pdf, LINE_CARRIERS[carrier](writing(URL_A, CODE_A)),
                       f"{carrier}-{broken}")
    [(found, message)] = _link_defects(outcome)
    assert found == code and "pan.baidu.com/s/1AbCdEfGhIj" in message
    assert [d.code for d in outcome.defects if d.severity == "error"] == [code]


@pytest.mark.parametrize("writing", list(HYPERLINKED))
def test_link_behind_words_in_a_word_document_takes_the_code_written_beside_it(settings, data_dir, sealed_pdf,
                                                                                writing):
    outcome = _process(settings, data_dir, sealed_pdf, HYPERLINKED[writing](URL_A, CODE_A), f"hyperlink-{writing}")
    _accepted_with(outcome, [(URL_A, CODE_A)])


@pytest.mark.parametrize("labelled", [False, True], ids=["bare-code-column", "labelled-code-cells"])
@pytest.mark.parametrize("carrier", list(TABLE_CARRIERS))
def test_courses_one_row_each_pair_each_link_with_the_code_of_its_row(settings, data_dir, sealed_pdf, carrier,
                                                                      labelled):
    carried = TABLE_CARRIERS[carrier](table_rows(labelled=labelled))
    outcome = _process(settings, data_dir, sealed_pdf, carried, f"{carrier}-{labelled}")
    _accepted_with(outcome, [(URL_A, CODE_A), (URL_B, CODE_B)])


@pytest.mark.parametrize("carrier", list(TABLE_CARRIERS))
def test_row_without_its_code_is_the_one_link_named_and_takes_no_other_rows_code(settings, data_dir, sealed_pdf,
                                                                                 carrier):
    outcome = _process(settings, data_dir, sealed_pdf, TABLE_CARRIERS[carrier](table_rows(code_a=None)),
                       f"{carrier}-missing")
    assert _pairs(outcome) == [(URL_A, None), (URL_B, CODE_B)]
    [(code, message)] = _link_defects(outcome)
    assert code == "LINK_CODE_MISSING" and URL_A in message
