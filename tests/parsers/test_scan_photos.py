"""Scans and photos as offices make them: iPhone HEIC, phone photos on a desk, grey scans, 150-dpi JPEGs, /Rotate."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.support.photos import grey_scan, low_dpi_jpeg, phone_photo, to_heic
from ingest.samples.paper import scanned, to_jpeg, to_png
from ingest.samples.scans import render_form_pages
from parsers.ocr import WORK_LONG_SIDE
from parsers.photo import straighten
from parsers.scan import read_scan
from tests.parsers.ocr_names import read_form

UNIT = "宁波市海曙区社区学院"
NAME = "乐龄学堂老年人防范电信诈骗专题培训"


@pytest.fixture(scope="module")
def clean():
    return render_form_pages("project", NAME, UNIT)[0]


@pytest.fixture(scope="module")
def photo(clean):
    return phone_photo(clean, seed=4)


def _read(filename, data):
    reading = read_scan(filename, data, workers=1)
    assert reading.error is None
    [page] = reading.pages
    return page


def test_iphone_heic_photo_stored_sideways_is_read_upright_with_its_seal(photo):
    page = _read("IMG_4721.HEIC", to_heic(photo, sideways=True))
    assert read_form(page.form_kind, page.name, page.unit, ("project", NAME, UNIT)), page
    assert page.seal.found and page.seal.method == "paper-scan"


def test_phone_photo_of_the_stamped_page_on_a_desk_is_straightened_and_read(photo):
    page = _read("微信图片_20240520.jpg", to_jpeg(photo, 80))
    assert read_form(page.form_kind, page.name, page.unit, ("project", NAME, UNIT)), page
    assert page.seal.found and page.seal.colour == "red"


def test_straightened_photo_is_an_upright_a4_sheet_and_a_scan_is_left_alone(clean, photo):
    sheet = straighten(np.asarray(photo), WORK_LONG_SIDE)
    assert sheet.shape[:2] == (WORK_LONG_SIDE, round(WORK_LONG_SIDE * 210 / 297))
    assert np.median(sheet[: WORK_LONG_SIDE // 20]) > 200  # the sheet's top margin, no desk in it
    assert straighten(np.asarray(scanned(clean).convert("RGB")), WORK_LONG_SIDE) is None


def test_grey_scan_is_read_and_its_seal_found_by_shape(clean):
    page = _read("盖章扫描件.png", to_png(grey_scan(clean, skew=1.0)))
    assert read_form(page.form_kind, page.name, None, ("project", NAME, None)), page.name
    assert page.seal.found and page.seal.colour == "grey" and page.seal.method == "paper-scan"


def test_low_quality_150_dpi_jpeg_is_read(clean):
    data = low_dpi_jpeg(clean, dpi=150, quality=35)
    assert Image.open(io.BytesIO(data)).width == 1240
    page = _read("扫描件.jpg", data)
    assert (page.form_kind, page.name, page.unit) == ("project", NAME, UNIT) and page.seal.found


def _rotated_pdf(page: Image.Image, rotate: int) -> bytes:
    """An image-only PDF whose page is stored sideways and shown upright by /Rotate, as scanners do."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    stored = page.rotate(rotate, expand=True)  # the page's /Rotate turns it back clockwise
    buf = io.BytesIO()
    width, height = stored.width * 72 / 150, stored.height * 72 / 150
    c = canvas.Canvas(buf, pagesize=(height, width))  # reportlab swaps a quarter-turned page's MediaBox
    c.setPageRotation(rotate)
    c.drawImage(ImageReader(stored), 0, 0, width, height)
    c.showPage()
    c.save()
    return buf.getvalue()


def test_pdf_page_with_rotate_is_read(clean):
    small = scanned(clean).resize((1240, 1754))
    page = _read("扫描.pdf", _rotated_pdf(small, 90))
    assert read_form(page.form_kind, page.name, None, ("project", NAME, None)), page.name
    assert page.seal.found


def test_damaged_heic_is_unreadable_with_its_name():
    data = to_heic(Image.new("RGB", (64, 48), "white"), sideways=False)
    reading = read_scan("IMG_0001.heic", data[:40])
    assert reading.pages == [] and "《IMG_0001.heic》" in reading.error
