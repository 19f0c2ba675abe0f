"""Whole scan files read end to end: PDFs, TIFFs, JPGs, text layers, broken files, the cache."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from ingest.samples.paper import scanned, to_jpeg, to_pdf, to_png, to_tiff
from ingest.samples.scans import render_form_page, render_form_pages, text_pdf
from parsers.scan import read_scan, read_scans
from tests.parsers.ocr_names import read_form

UNIT = "杭州市西湖区老年大学"
FORMS = [
    ("case", "银龄数字课堂：社区老年人智能手机应用培训"),
    ("project", "乐龄学堂老年人防范电信诈骗专题培训"),
    ("course", "手把手教您用健康码与线上挂号"),
]


@pytest.fixture(scope="module")
def three_forms():
    """One scanned page per form: upright, upside down, turned a quarter with JPEG noise."""
    return [
        render_form_page("case", FORMS[0][1], UNIT, skew=2.0),
        render_form_page("project", FORMS[1][1], UNIT, rotate=180),
        render_form_page("course", FORMS[2][1], UNIT, rotate=90, jpeg_quality=60, seal=False),
    ]


@pytest.fixture(scope="module")
def pdf_reading(three_forms):
    return read_scan("西湖区+盖章扫描件.pdf", to_pdf(three_forms), workers=2)


def test_multi_page_pdf_of_three_forms_is_read_page_by_page(pdf_reading):
    assert pdf_reading.error is None
    read = [(p.form_kind, p.name, p.unit) for p in pdf_reading.pages]
    assert len(read) == len(FORMS), read
    assert all(read_form(*page, (k, n, UNIT)) for page, (k, n) in zip(read, FORMS)), read
    assert [p.index for p in pdf_reading.pages] == [0, 1, 2]


def test_seals_are_reported_per_page_with_box_in_pdf_points(pdf_reading):
    seals = [p.seal for p in pdf_reading.pages]
    assert [s.found for s in seals] == [True, True, False]
    x, y, w, h = seals[0].box
    assert 100 < w < 140  # a 42-mm seal is 119 pt across
    assert x > 595 / 2 and y > 842 / 2  # lower right of an A4 page
    assert seals[0].where == seals[1].where == "unit_opinion"
    assert all(p.ocr_seconds > 0 for p in pdf_reading.pages)


def test_multi_page_tiff_reads_every_frame(three_forms):
    reading = read_scan("扫描.tif", to_tiff(three_forms[:2]), workers=1)
    assert [p.form_kind for p in reading.pages] == ["case", "project"]


def test_jpeg_exif_rotation_is_honoured():
    upright = render_form_page("case", FORMS[0][1], UNIT)
    stored = upright.rotate(90, expand=True)  # camera sensor held sideways
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=80, exif=exif)
    page = read_scan("手机拍照.jpg", buf.getvalue()).pages[0]
    assert read_form(page.form_kind, page.name, None, ("case", FORMS[0][1], None)), page.name
    x, y, w, h = page.seal.box
    assert x > upright.width / 2 and y > upright.height / 2  # box in the displayed page


def test_text_layer_pdf_is_read_without_ocr():
    page = read_scan("课程申报表.pdf", text_pdf("course", FORMS[2][1], UNIT, seal=True)).pages[0]
    assert (page.form_kind, page.name, page.unit) == ("course", FORMS[2][1], UNIT)
    assert "典型课程资源申报表" in page.text
    assert page.seal.found and page.seal.where == "unit_opinion"
    unstamped = read_scan("案例申报表.pdf", text_pdf("case", FORMS[0][1], UNIT)).pages[0]
    assert unstamped.form_kind == "case" and not unstamped.seal.found


def test_letterhead_page_keeps_its_kind_and_has_no_seal():
    page = render_form_page("project", FORMS[1][1], UNIT, seal=False, letterhead="杭州市西湖区教育局")
    read = read_scan("红头.png", to_png(page)).pages[0]
    assert read_form(read.form_kind, read.name, None, ("project", FORMS[1][1], None)), read.name
    assert not read.seal.found


def test_second_page_of_a_long_form_is_a_continuation_carrying_the_seal():
    pages = [scanned(p, skew=1.0) for p in render_form_pages("case", FORMS[0][1], UNIT, two_pages=True)]
    reading = read_scan("案例盖章件.pdf", to_pdf(pages), workers=1)
    first, second = reading.pages
    assert first.form_kind == "case" and not first.seal.found
    assert second.form_kind is None and second.seal.found and second.seal.where == "unit_opinion"


def test_one_jpg_per_page_read_together_keeps_file_order(three_forms):
    files = [(f"第{i + 1}页.jpg", to_jpeg(p, 70)) for i, p in enumerate(three_forms[:2])]
    readings = read_scans(files, workers=2)
    assert [r.pages[0].form_kind for r in readings] == ["case", "project"]


def test_rescan_is_served_from_cache(tmp_path):
    data = to_jpeg(render_form_page("course", FORMS[2][1], UNIT), 80)
    first = read_scan("课程.jpg", data, cache_dir=tmp_path).pages[0]
    again = read_scan("课程（重发）.jpg", data, cache_dir=tmp_path).pages[0]
    assert first.ocr_seconds > 0 and again.ocr_seconds == 0
    assert (again.form_kind, again.name, again.seal) == (first.form_kind, first.name, first.seal)


def _encrypted_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt="mima123")
    c.drawString(72, 720, "scan")
    c.showPage()
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize(
    "filename,data,reason",
    [
        ("加密.pdf", _encrypted_pdf(), "密码"),
        ("损坏.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF", "损坏"),
        ("截断.pdf", to_pdf([Image.new("RGB", (600, 800), "white")])[:300], "损坏"),
        ("照片.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "图片"),
        ("申报表.xps", b"....", "格式"),
    ],
)
def test_unreadable_scans_give_a_clear_reason_instead_of_raising(filename, data, reason):
    reading = read_scan(filename, data)
    assert reading.pages == []
    assert reason in reading.error and f"《{filename}》" in reading.error
