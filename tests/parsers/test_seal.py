"""Red seal detection on rendered scans: seals found, red look-alikes rejected."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import ImageDraw

from ingest.samples.paper import mm, scanned
from ingest.samples.scans import render_form_page, render_form_pages
from parsers.ocr import WORK_LONG_SIDE
from parsers.seal import FOUND, UNCERTAIN, find_seal

NAME = "银龄数字课堂：社区老年人智能手机应用培训"
UNIT = "杭州市西湖区老年大学"


def work(img) -> np.ndarray:
    """The page as the pipeline sees it: long side at WORK_LONG_SIDE."""
    scale = WORK_LONG_SIDE / max(img.size)
    return cv2.resize(np.asarray(img.convert("RGB")), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


@pytest.fixture(scope="module")
def stamped():
    return work(render_form_page("case", NAME, UNIT, skew=2.5, jpeg_quality=60))


def test_pressed_seal_is_found_in_the_opinion_cell(stamped):
    seal = find_seal(stamped)
    assert seal.found and seal.confidence >= FOUND
    x, y, w, h = seal.box
    page_h, page_w = stamped.shape[:2]
    # a 42-mm seal on an A4 page, in the lower right where 申报单位意见 is
    assert 0.15 < w / page_w < 0.25 and 0.8 < w / h < 1.25
    assert x > page_w / 2 and y > page_h / 2


def test_unstamped_form_has_no_seal():
    seal = find_seal(work(render_form_page("project", NAME, UNIT, seal=False, jpeg_quality=70)))
    assert not seal.found and seal.confidence < UNCERTAIN


def test_red_letterhead_is_not_a_seal():
    page = render_form_page("course", NAME, UNIT, seal=False, letterhead="杭州市西湖区教育局文件")
    seal = find_seal(work(page))
    assert not seal.found and seal.confidence < UNCERTAIN


def test_red_table_border_handwriting_and_hand_drawn_circle_are_not_seals():
    page = render_form_pages("case", NAME, UNIT, seal=False)[0]
    draw = ImageDraw.Draw(page)
    red = (205, 35, 35)
    draw.rectangle([mm(30), mm(60), mm(180), mm(200)], outline=red, width=8)  # red table border
    draw.rectangle([mm(120), mm(215), mm(162), mm(257)], outline=red, width=12)  # seal-sized red square
    draw.line([(mm(40), mm(230)), (mm(60), mm(236)), (mm(75), mm(226)), (mm(95), mm(240))], fill=red, width=7)
    draw.ellipse([mm(40), mm(250), mm(82), mm(292)], outline=red, width=10)  # empty circle around a remark
    seal = find_seal(work(scanned(page)))
    assert not seal.found


def test_faint_seal_is_uncertain_rather_than_absent():
    seal = find_seal(work(render_form_page("case", NAME, UNIT, faint_seal=True, jpeg_quality=70)))
    assert UNCERTAIN <= seal.confidence < FOUND
    assert seal.box is not None


def test_seal_is_found_on_quarter_turned_page():
    seal = find_seal(work(render_form_page("course", NAME, UNIT, rotate=90)))
    assert seal.found
    x, y, w, h = seal.box
    assert 0.8 < w / h < 1.25


# ---------------------------------------------------------------- any colour

from tests.support.photos import black_and_white_scan, grey_scan, with_emblem  # noqa: E402


@pytest.fixture(scope="module")
def clean_stamped():
    return render_form_pages("case", NAME, UNIT)[0]


def test_seal_on_grey_scan_is_found_by_its_shape(clean_stamped):
    seal = find_seal(work(grey_scan(clean_stamped, skew=1.5)))
    assert seal.found and seal.colour == "grey"
    x, y, w, h = seal.box
    assert x > WORK_LONG_SIDE * 0.7 / 2 and 0.8 < w / h < 1.25  # in the lower right, round


def test_seal_on_black_and_white_scan_is_found(clean_stamped):
    seal = find_seal(work(black_and_white_scan(clean_stamped)))
    assert seal.found and seal.colour == "grey"


def test_grey_scan_without_seal_is_not_sealed():
    page = render_form_pages("project", NAME, UNIT, seal=False)[0]
    for scan in (grey_scan(page, skew=-1.0), black_and_white_scan(page)):
        seal = find_seal(work(scan))
        assert not seal.found and seal.confidence < UNCERTAIN


def test_emblem_in_the_letterhead_is_not_a_seal_in_grey_or_red():
    page = render_form_pages("course", NAME, UNIT, seal=False)[0]
    grey = find_seal(work(grey_scan(with_emblem(page))))
    red = find_seal(work(scanned(with_emblem(page, colour=(200, 30, 40)))))
    assert not grey.found and grey.confidence < UNCERTAIN
    assert not red.found and red.confidence < UNCERTAIN


def test_red_seal_keeps_its_colour(stamped):
    assert find_seal(stamped).colour == "red"
