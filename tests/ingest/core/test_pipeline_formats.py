"""A clean submission is accepted whatever form its stamped version takes; a broken one is named once."""

from __future__ import annotations

from datetime import datetime

import pytest

from ingest.core.pipeline import Pipeline
from ingest.cli.report import outcome_row, stored_row
from tests.support.esign import signed_pdf
from ingest.samples.forms import build_case_form
from ingest.samples.mails import CST, MailSpec, build_mail
from tests.support.ofd import build_ofd_form
from tests.support.photos import grey_scan, phone_photo, to_heic
from ingest.samples.paper import to_jpeg, to_png
from ingest.samples.scans import render_form_pages, text_pdf

UNIT = "杭州市西湖区社区学院"
NAME = "“银龄触网”智能手机应用进社区"


@pytest.fixture(scope="module")
def paper():
    """The printed, signed and stamped form, before it is scanned or photographed."""
    return render_form_pages("case", NAME, UNIT)[0]


def _stamped(variant: str, paper) -> tuple[str, bytes]:
    if variant == "heic":
        return "IMG_4721.HEIC", to_heic(phone_photo(paper, seed=5))
    if variant == "phone-photo":
        return f"{UNIT}+案例盖章件.jpg", to_jpeg(phone_photo(paper, seed=6), 82)
    if variant == "grey-scan":
        return f"{UNIT}+案例盖章扫描件.png", to_png(grey_scan(paper, skew=0.8))
    if variant == "ofd":
        return f"{UNIT}+案例（电子签章）.ofd", build_ofd_form("case", NAME, UNIT)
    if variant == "e-seal-pdf":
        return f"{UNIT}+案例（电子章）.pdf", text_pdf("case", NAME, UNIT, seal=True)
    return f"{UNIT}+案例（数字签名）.pdf", signed_pdf("case", NAME, UNIT)


def _mail(attachment: tuple[str, bytes], tag: str) -> bytes:
    return build_mail(MailSpec(
        subject=f"{UNIT}+智慧助老材料+1个",
        attachments=[(f"{UNIT}+案例.docx", build_case_form(name=NAME, unit=UNIT)), attachment],
        date=datetime(2022, 4, 20, 10, 30, tzinfo=CST), message_id=f"<formats-{tag.encode().hex()[:24]}@163.com>"))


METHODS = {"heic": "paper-scan", "phone-photo": "paper-scan", "grey-scan": "paper-scan", "ofd": "ofd-seal",
           "e-seal-pdf": "e-seal-image", "signed-pdf": "digital-signature"}


@pytest.mark.parametrize("variant", list(METHODS))
def test_clean_submission_with_its_stamped_version_in_any_format_is_accepted(settings, paper, variant):
    pipeline = Pipeline(settings)
    outcome = pipeline.process(_mail(_stamped(variant, paper), variant), f"{variant}.eml")
    assert outcome.status == "accepted", [(d.code, d.message) for d in outcome.defects]
    assert not {"SCAN_MISSING", "STAMP_MISSING", "STAMP_UNCERTAIN"} & {d.code for d in outcome.defects}
    scan = next(m for m in outcome.submission.materials if m.kind == "scan")
    assert scan.paired_with == [f"{UNIT}+案例.docx"]
    assert scan.scan.pages[0].seal.method == METHODS[variant]
    for row in (outcome_row(outcome), stored_row(pipeline.db.load(outcome.submission_id))):  # --json, fresh and filed
        [pages] = [m["pages"] for m in row["materials"] if m["kind"] == "scan"]
        assert pages[0]["seal"]["found"] and pages[0]["seal"]["method"] == METHODS[variant]


@pytest.mark.parametrize("filename,data", [
    ("IMG_0001.HEIC", to_heic(render_form_pages("case", NAME, UNIT)[0].resize((620, 877)), sideways=False)[:300]),
    (f"{UNIT}+案例（电子签章）.ofd", build_ofd_form("case", NAME, UNIT)[:-200]),
])
def test_broken_heic_or_ofd_gets_one_unreadable_defect_naming_it(settings, filename, data):
    outcome = Pipeline(settings).process(_mail((filename, data), filename), "broken.eml")
    codes = [d.code for d in outcome.defects if d.severity == "error"]
    assert codes == ["ATTACHMENT_UNREADABLE"], [(d.code, d.message) for d in outcome.defects]
    [defect] = [d for d in outcome.defects if d.code == "ATTACHMENT_UNREADABLE"]
    assert defect.where == filename and f"《{filename}》" in defect.message
