"""A scan whose OCR is a character or two off still pairs with its Word form, from the right unit.

Tesseract releases, fonts and scanners move single characters (海曙 read as
海归). The unit must not be told its scan is missing, misnamed or from
another unit because of that. The misreads are made real: Tesseract runs,
and a wrapper around it changes characters in what it wrote, as a worse scan
or another release would.
"""

from __future__ import annotations

import shutil
from datetime import datetime

import pytesseract
import pytest

from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail
from ingest.samples.paper import scanned, to_jpeg
from ingest.samples.scans import render_form_pages

UNIT = "宁波市海曙区社区学院"
NAME = "银龄数字课堂：社区老年人智能手机应用培训"


@pytest.fixture
def misreading_tesseract(tmp_path, monkeypatch):
    """The real Tesseract, its output then changed character by character (`{"曙": "归"}`)."""
    def make(changes: dict[str, str]) -> None:
        script = tmp_path / "tesseract-misreads"
        edits = "; ".join(f"s/{old}/{new}/g" for old, new in changes.items())
        script.write_text(
            "#!/bin/sh\n"
            f"{shutil.which('tesseract')} \"$@\" || exit $?\n"
            f"for f in \"$2\".*; do [ -f \"$f\" ] && sed -i '{edits}' \"$f\"; done\nexit 0\n",
            encoding="utf-8")
        script.chmod(0o755)
        monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", str(script))
    return make


def _submission(subject_unit: str = UNIT) -> bytes:
    scan = to_jpeg(scanned(render_form_pages("case", NAME, UNIT)[0], skew=-1.0), 80)
    return build_mail(MailSpec(
        subject=f"{subject_unit}+智慧助老材料+1个", sender=("海曙区社区学院 陈老师", "hssqxy@163.com"),
        body="您好！\n附件是我单位报送的智慧助老案例，请查收。\n\n宁波市海曙区社区学院\n联系人：陈静 13857412345",
        attachments=[(f"{UNIT}+案例.docx", build_case_form(name=NAME, unit=UNIT)),
                     (f"{UNIT}+案例盖章扫描件.jpg", scan)],
        date=datetime(2022, 4, 20, 10, 30, tzinfo=CST), message_id="<misread-1@163.com>"))


@pytest.mark.parametrize("changes", [
    {"曙": "归"},  # the unit one character off
    {"龄": "令"},  # the form's name one character off
    {"曙": "归", "龄": "令", "智": "知"},  # both, the name two characters off
])
def test_a_scan_read_a_character_or_two_off_still_pairs_and_the_unit_resolves(
        settings, misreading_tesseract, changes):
    misreading_tesseract(changes)
    outcome = Pipeline(settings).process(_submission(), "misread.eml")

    [scan] = [m for m in outcome.submission.materials if m.kind == "scan"]
    read = " ".join(f"{p.name} {p.unit}" for p in scan.scan.pages)
    assert all(new in read for new in changes.values()), f"the misread did not happen: {read}"
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    assert not outcome.defects
    assert outcome.submission.unit == UNIT
    [word] = [m for m in outcome.submission.materials if m.kind == "case"]
    assert word.paired_with == [scan.filename]


def test_a_short_subject_name_and_a_misread_scan_still_resolve_to_the_forms_unit(
        settings, misreading_tesseract):
    misreading_tesseract({"曙": "归"})
    outcome = Pipeline(settings).process(_submission(subject_unit="海曙区"), "misread-short.eml")
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    assert outcome.submission.unit == UNIT
