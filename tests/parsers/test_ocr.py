"""Targeted OCR of form scans with real Tesseract: kind, name, unit, orientation."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from ingest.samples.paper import scanned
from ingest.samples.scans import render_form_page, render_form_pages
from parsers.ocr import WORK_LONG_SIDE, PageCache, read_page
from parsers.ocr_layout import estimate_orientation
from parsers.ocr_titles import classify_title, parse_fields
from parsers.seal import find_seal
from tests.parsers.ocr_names import read_form

UNIT = "宁波市海曙区社区学院"
NAMES = {
    "case": "银龄数字课堂：社区老年人智能手机应用培训",
    "project": "乐龄学堂老年人防范电信诈骗专题培训",
    "course": "手把手教您用健康码与线上挂号",
}


def grey(img) -> np.ndarray:
    """Work-scale grey page as read_page expects (red channel, seal-free)."""
    scale = WORK_LONG_SIDE / max(img.size)
    rgb = cv2.resize(np.asarray(img.convert("RGB")), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb[..., 0]), rgb


@pytest.mark.parametrize("kind", ["case", "project", "course"])
def test_reads_kind_name_and_unit_of_each_form(kind):
    read = read_page(grey(render_form_page(kind, NAMES[kind], UNIT, jpeg_quality=75))[0])
    assert read_form(read.fields.kind, read.fields.name, read.fields.unit, (kind, NAMES[kind], UNIT)), read.fields


@pytest.mark.parametrize("rotate,skew", [(180, 0.0), (90, 0.0), (270, 2.0), (0, -3.0)])
def test_turned_and_skewed_pages_are_read_upright(rotate, skew):
    page = render_form_page("case", NAMES["case"], UNIT, rotate=rotate, skew=skew, jpeg_quality=60)
    read = read_page(grey(page)[0])
    assert read_form(read.fields.kind, read.fields.name, read.fields.unit, ("case", NAMES["case"], UNIT)), read.fields


def test_orientation_estimate_finds_quarter_turn_and_skew():
    clean = render_form_pages("project", NAMES["project"], UNIT)[0]
    assert estimate_orientation(grey(scanned(clean, skew=2.5))[0]) == (False, pytest.approx(-2.5, abs=0.25))
    quarter, _ = estimate_orientation(grey(scanned(clean, rotate=90))[0])
    assert quarter


def test_seal_row_label_is_read_as_unit_opinion():
    g, rgb = grey(render_form_page("course", NAMES["course"], UNIT, rotate=180))
    read = read_page(g, find_seal(rgb).box)
    assert "申报单位意见" in read.seal_label
    assert read.seal_row_is_last


def test_untitled_second_page_is_a_continuation_not_a_form():
    second = render_form_pages("case", NAMES["case"], UNIT, two_pages=True)[1]
    read = read_page(grey(scanned(second, skew=1.5))[0])
    assert read.fields.kind is None
    assert read.has_table


def test_title_classification_tolerates_ocr_slips():
    assert classify_title(["附件2", "典型工作案例申报委"]) == "case"
    assert classify_title(["附 件 3", "典 型 教 育 培 训 项 目 申 报 表"]) == "project"
    assert classify_title(["典型课程资源申报"]) == "course"
    assert classify_title(["智慧助老优质工作案例、教育培训项目及课程资源信息汇总表"]) == "summary"
    assert classify_title(["关于推荐智慧助老优质工作案例的函"]) is None


def test_fields_from_text_layer_lines():
    lines = ["附件4", "典型课程资源申报表", "课程名称 手把手教您用健康码", "申报单位：宁波市海曙区社区学院", "申报单位意见 同意推荐"]
    fields = parse_fields(lines)
    assert (fields.kind, fields.name, fields.unit) == ("course", "手把手教您用健康码", UNIT)


def test_page_cache_returns_what_was_stored(tmp_path):
    cache = PageCache(tmp_path)
    pixels = np.zeros((20, 30, 3), np.uint8)
    key = PageCache.key(pixels)
    assert cache.get(key) is None
    cache.put(key, {"form_kind": "case", "name": NAMES["case"]})
    assert cache.get(key) == {"form_kind": "case", "name": NAMES["case"]}
    assert PageCache.key(pixels + 1) != key
    assert PageCache(None).get(key) is None
