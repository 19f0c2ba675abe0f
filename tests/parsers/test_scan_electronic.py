"""E-sealed and digitally signed PDFs count as stamped, and say how they were stamped."""

from __future__ import annotations

import io

from PIL import Image

from tests.support.esign import signed_pdf
from tests.support.ofd import seal_png
from ingest.samples.scans import text_pdf
from parsers.scan import read_scan
from parsers.seal import FOUND, UNCERTAIN

UNIT = "嘉兴市平湖市老年开放大学"
NAME = "智慧出行：老年人网约车与地图导航培训"


def _page(data: bytes):
    reading = read_scan("培训项目申报表（电子章）.pdf", data, workers=1)
    assert reading.error is None
    [page] = reading.pages
    return page


def test_text_pdf_with_seal_picture_over_the_opinion_is_an_e_seal():
    page = _page(text_pdf("project", NAME, UNIT, seal=True))
    assert (page.form_kind, page.name, page.unit) == ("project", NAME, UNIT)
    assert page.seal.found and page.seal.method == "e-seal-image" and page.seal.where == "unit_opinion"


def test_signed_pdf_counts_as_stamped_by_digital_signature_where_the_widget_is():
    page = _page(signed_pdf("project", NAME, UNIT))
    assert page.form_kind == "project" and page.name == NAME
    assert page.seal.found and page.seal.method == "digital-signature" and page.seal.where == "unit_opinion"
    x, y, w, h = page.seal.box
    assert (w, h) == (120, 120) and 300 < y < 400  # points, from the top of the page


def test_invisible_signature_still_stamps_the_page():
    seal = _page(signed_pdf("project", NAME, UNIT, visible=False)).seal
    assert seal.found and seal.method == "digital-signature" and seal.box is None


def test_unsigned_signature_field_is_uncertain_not_stamped():
    seal = _page(signed_pdf("project", NAME, UNIT, signed=False)).seal
    assert not seal.found and UNCERTAIN <= seal.confidence < FOUND


def _seal_under_white_box() -> bytes:
    """A PDF whose seal picture is placed, then half hidden by a white cell drawn over it."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 20)
    c.drawString(150, 760, "典型教育培训项目申报表")
    c.setFont("STSong-Light", 12)
    c.drawString(80, 720, f"项目名称 {NAME}")
    c.drawString(80, 700, f"申报单位 {UNIT}")
    c.drawImage(ImageReader(Image.open(io.BytesIO(seal_png(UNIT)))), 380, 300, 120, 120, mask="auto")
    c.setFillColorRGB(1, 1, 1)
    c.rect(370, 290, 80, 140, stroke=0, fill=1)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_seal_picture_hidden_on_the_page_is_found_among_the_embedded_pictures():
    page = _page(_seal_under_white_box())
    assert page.form_kind == "project"
    assert page.seal.found and page.seal.method == "e-seal-image"
    x, y, w, h = page.seal.box
    assert (x, w, h) == (380, 120, 120)


def test_plain_exported_pdf_has_no_seal():
    seal = _page(text_pdf("project", NAME, UNIT)).seal
    assert not seal.found and seal.method is None


def test_a_table_sent_as_pdf_or_ofd_counts_as_e_sealed_only_when_really_signed():
    """The statistics profiles ask the same question of a table file as the scan reader asks of a page."""
    from tests.support.esign import signed_pdf
    from tests.support.ofd import build_ofd_form
    from parsers.scan_source import electronic_signature

    unit = "普陀区长征镇社区学校"
    assert electronic_signature("统计表.pdf", signed_pdf("case", "统计表", unit))
    assert not electronic_signature("统计表.pdf", signed_pdf("case", "统计表", unit, signed=False))
    assert electronic_signature("统计表.ofd", build_ofd_form("case", "统计表", unit))
    assert not electronic_signature("统计表.ofd", build_ofd_form("case", "统计表", unit, signed=False))
    assert not electronic_signature("统计表.pdf", b"%PDF-1.7 damaged")
