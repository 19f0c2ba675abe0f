"""The course form's unit, sharing tick and phone, and the stamped scan, judged in every carrier (issue 21).

Each mail is a course submission run through the real Pipeline with the
built-in (liaoning-2022) profile: the form, its stamped version and the share
link in the body. A clean writing must be accepted with no defect at all; a
broken one must get exactly the one defect that names its mistake.

Crossed fully: every writing (18 ticks, 13 phones, 5 unit spellings, and the
10 broken ones) × every form carrier — the file formats .docx, .doc, .wps and
the .doc LibreOffice writes straight from a .docx (read by our own .doc
reader), attached, and the .docx zipped with GBK names, in a 7z, forwarded
as an attachment and re-sent with 转发： — because each format is read by
another path (python-docx, LibreOffice conversion, the rebuilt table) and
each wrapping by another opener, and a tick glyph or a full-width digit can
be lost in any of them. The stamped version there is the form's PDF with an
electronic seal (a text layer: no OCR), so those 368 mails cost what they parse.

Sampled: the scan carriers. Reading a scanned page is OCR (seconds each) and
its path does not depend on how the Word form was written, so every scan
carrier (PDF, JPG, PNG, TIFF, pasted into the HTML body, in a zip, in a 7z)
goes once with the .docx form, and the missing scan once per form carrier.
The two wrappings are not crossed with the three formats either: unwrapping
hands the same bytes to the same reader. RAR is left out: free software
cannot write one (see tests/support/archives.py).
"""

from __future__ import annotations

import hashlib

import pytest

from ingest.core.pipeline import Pipeline
from tests.ingest.core.form_carriers import (BROKEN, FORM_CARRIERS, FORMATS, OTHER_UNIT, SCAN_CARRIERS, UNIT, WRITINGS,
                                        Carried, form_file, sealed_scan)
from tests.support.settings import folder_settings

# (format, wrapping): every format attached, every wrapping of the .docx.
CARRIERS = [(fmt, "attached") for fmt in FORMATS] + [("docx", w) for w in FORM_CARRIERS if w != "attached"]
IDS = [f"{fmt}-{wrapping}" for fmt, wrapping in CARRIERS]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """One pipeline for the module (the Liaoning default profile); every mail has its own Message-ID."""
    return Pipeline(folder_settings(tmp_path_factory.mktemp("form-carriers")))


def _process(pipeline, carried: Carried, tag: str):
    message_id = f"<form-carrier-{hashlib.sha1(tag.encode()).hexdigest()[:16]}@163.com>"
    return pipeline.process(carried.raw(message_id), f"{tag}.eml")


def _codes(outcome) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in outcome.defects]


def _mail(writing: str, fmt: str, wrapping: str, scan: bool = True) -> Carried:
    unit = OTHER_UNIT if writing == "unit-of-another-city" else UNIT
    files = [form_file(writing, fmt), *([sealed_scan(unit)] if scan else [])]
    return FORM_CARRIERS[wrapping](files)


@pytest.mark.parametrize("writing", list(WRITINGS))
@pytest.mark.parametrize("fmt,wrapping", CARRIERS, ids=IDS)
def test_clean_form_in_any_carrier_and_writing_is_accepted_with_no_defect(pipeline, fmt, wrapping, writing):
    outcome = _process(pipeline, _mail(writing, fmt, wrapping), f"clean-{fmt}-{wrapping}-{writing}")
    assert outcome.status == "accepted" and outcome.defects == [], _codes(outcome)
    [form] = [m.form for m in outcome.submission.forms()]
    assert form.kind == "course" and form.share_consent is (writing != "consent-ticked-否")


@pytest.mark.parametrize("broken", list(BROKEN))
@pytest.mark.parametrize("fmt,wrapping", CARRIERS, ids=IDS)
def test_broken_form_in_any_carrier_gets_the_one_defect_naming_it(pipeline, fmt, wrapping, broken):
    outcome = _process(pipeline, _mail(broken, fmt, wrapping), f"broken-{fmt}-{wrapping}-{broken}")
    assert [d.code for d in outcome.defects] == [BROKEN[broken][1]], _codes(outcome)


@pytest.mark.parametrize("fmt,wrapping", CARRIERS, ids=IDS)
def test_form_without_its_stamped_scan_in_any_carrier_is_scan_missing_only(pipeline, fmt, wrapping):
    outcome = _process(pipeline, _mail("consent-box-☑", fmt, wrapping, scan=False), f"noscan-{fmt}-{wrapping}")
    assert [d.code for d in outcome.defects] == ["SCAN_MISSING"], _codes(outcome)


@pytest.mark.parametrize("carrier", list(SCAN_CARRIERS))
def test_stamped_scan_in_any_carrier_pairs_with_the_form_and_is_accepted(pipeline, carrier):
    outcome = _process(pipeline, SCAN_CARRIERS[carrier](form_file("consent-box-☑", "docx")), f"scan-{carrier}")
    assert outcome.status == "accepted" and outcome.defects == [], _codes(outcome)
    [scan] = [m for m in outcome.submission.materials if m.kind == "scan"]
    assert scan.paired_with and scan.paired_with[0].endswith("+课程资源.docx")
    assert scan.scan.pages[0].seal.found
