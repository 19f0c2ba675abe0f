"""OFD forms (GB/T 33190) read from their XML parts: text in order, pictures, the electronic seal."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from ingest.samples.ofd import build_ofd_form
from ingest.samples.scans import render_form_page
from parsers.facts import UnreadableFile
from parsers.ofd import read_ofd
from parsers.ofd_render import render_page
from parsers.scan import read_scan

UNIT = "温州市鹿城区五马街道社区教育学校"
NAME = "手把手教您用健康码与线上挂号"


def _page(data: bytes, filename: str = "课程资源申报表.ofd"):
    reading = read_scan(filename, data, workers=1)
    assert reading.error is None
    [page] = reading.pages
    return page


def test_text_is_read_in_reading_order_with_the_electronic_seal_on_its_page():
    document = read_ofd("a.ofd", build_ofd_form("course", NAME, UNIT))
    [page] = document.pages
    assert document.signed and page.stamps == [(135.0, 107.0, 42.0, 42.0)]
    assert page.lines()[:4] == ["附件4", "典型课程资源申报表", f"课程名称 {NAME}", f"申报单位 {UNIT}"]


def test_e_sealed_ofd_form_counts_as_stamped_in_the_opinion_cell():
    page = _page(build_ofd_form("course", NAME, UNIT))
    assert (page.form_kind, page.name, page.unit) == ("course", NAME, UNIT)
    assert page.seal.found and page.seal.method == "ofd-seal" and page.seal.where == "unit_opinion"
    assert page.ocr_seconds < 1  # read from its text, no OCR


def test_ofd_without_signature_has_no_seal():
    page = _page(build_ofd_form("course", NAME, UNIT, signed=False))
    assert page.form_kind == "course" and not page.seal.found and page.seal.method is None


def test_seal_picture_without_signature_is_found_on_the_rendered_page():
    page = _page(build_ofd_form("course", NAME, UNIT, signed=False, seal_image=True))
    assert page.seal.found and page.seal.method == "e-seal-image" and page.seal.where == "unit_opinion"


def test_rendered_page_draws_text_where_it_is_written():
    [page] = read_ofd("a.ofd", build_ofd_form("course", NAME, UNIT)).pages
    image = np.asarray(render_page(page, 50).convert("L"))
    assert image.shape == (585, 413)
    assert image[70:90, 100:313].min() < 100  # 典型课程资源申报表 on its baseline at 42 mm
    assert image[400:].min() > 200  # nothing is written below the table


def test_ofd_wrapping_a_scanned_page_is_read_by_ocr():
    scan = render_form_page("course", NAME, UNIT, seal=False)
    page = _page(build_ofd_form("course", NAME, UNIT, scan=scan))
    assert (page.form_kind, page.name) == ("course", NAME)
    assert page.seal.found and page.seal.method == "ofd-seal"


def _without(data: bytes, *names: str) -> bytes:
    source, buf = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in source.infolist():
            if info.filename not in names:
                out.writestr(info, source.read(info))
    return buf.getvalue()


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        out.writestr(name, content)
        out.writestr("OFD.xml", zipfile.ZipFile(io.BytesIO(data)).read("OFD.xml"))
    return buf.getvalue()


def test_signature_without_its_signed_value_is_not_a_seal():
    data = _without(build_ofd_form("course", NAME, UNIT), "Doc_0/Signs/Sign_0/SignedValue.dat")
    assert not read_ofd("a.ofd", data).signed


@pytest.mark.parametrize("damage", [
    lambda d: d[: len(d) // 2],  # cut off in the mail
    lambda d: _without(d, "OFD.xml"),
    lambda d: _without(d, "Doc_0/Pages/Page_0/Content.xml"),
    lambda d: d.replace(b"Content.xml", b"Content.xmX"),
    lambda d: _with_part(d, "Doc_0/Document.xml", b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
                         b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Document>&b;</Document>'),
])
def test_broken_ofd_gives_a_clear_reason_naming_the_file(damage):
    data = damage(build_ofd_form("course", NAME, UNIT))
    with pytest.raises(UnreadableFile, match="《坏.ofd》"):
        read_ofd("坏.ofd", data)
    reading = read_scan("坏.ofd", data)
    assert reading.pages == [] and "《坏.ofd》" in reading.error
