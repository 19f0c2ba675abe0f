"""OFD forms (GB/T 33190) read from their XML parts: text in order, pictures, the electronic seal."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.support.ofd import rewrite_part, boundary_bomb, build_ofd_form, deltax_bomb
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


# ---------------------------------------------------------------- hostile OFDs

_PEAK = """
from tests.support.ofd import boundary_bomb, deltax_bomb
from parsers.ofd import read_ofd
from parsers.ofd_render import render_page
data = {bomb}
page = read_ofd("bomb.ofd", data).pages[0]
image = render_page(page, 100)
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1]
print(image.size[0], image.size[1], int(peak) // 1024)
"""


def _read_and_draw_in_a_fresh_process(bomb: str) -> tuple[tuple[int, int], int]:
    """Parse and draw page 1 at 100 dpi in a fresh interpreter: (canvas size, its peak RSS in MB).

    The peak is the process's own VmHWM: getrusage's ru_maxrss would carry
    over the high-water mark of the (large) pytest process that started it.
    """
    done = subprocess.run([sys.executable, "-c", _PEAK.format(bomb=bomb)], capture_output=True, text=True,
                          timeout=600, check=True, cwd=Path(__file__).parents[2])
    width, height, peak = map(int, done.stdout.split())
    return (width, height), peak


def test_a_glyph_run_claiming_millions_of_advances_keeps_one_per_character():
    [page] = read_ofd("鹿城区课程申报表.ofd", deltax_bomb(25_000_000)).pages
    assert all(len(t.advances) <= len(t.text) for t in page.texts)
    assert page.lines()[1] == "典型课程资源申报表", "the rest of the page is read as written"
    read = _page(deltax_bomb(25_000_000, ("course", NAME, UNIT)))  # bounded, the e-sealed form is a good form
    assert (read.form_kind, read.name, read.seal.method) == ("course", NAME, "ofd-seal")


@pytest.mark.parametrize("bomb", ["deltax_bomb(25_000_000)", "boundary_bomb(2_500)"],
                         ids=["DeltaX-g-25-million", "8x8-picture-in-a-2.5-m-box"])
def test_a_hostile_ofd_is_read_and_drawn_in_bounded_memory(bomb):
    """Unbounded, these cost 437 MB (25 million advances) and 806 MB (a 97-megapixel scaled picture)."""
    size, peak_mb = _read_and_draw_in_a_fresh_process(bomb)
    assert size == (827, 1169)  # A4 at 100 dpi: nothing drawn is larger than the page
    assert peak_mb < 250


def test_a_picture_placed_in_a_box_past_the_pixel_limit_is_refused_naming_the_file():
    reading = read_scan("鹿城区+课程盖章件.ofd", boundary_bomb(3_500))
    assert reading.pages == []
    assert "《鹿城区+课程盖章件.ofd》第1页" in reading.error and "超过系统可审阅的 150 百万像素" in reading.error


@pytest.mark.parametrize("value", ["g 1e999 2.5", "g nan 2.5", "g 3 1e999"])
def test_glyph_advances_that_are_no_numbers_are_damage_or_nothing_never_our_crash(value):
    data = rewrite_part(build_ofd_form("course", NAME, UNIT), "Doc_0/Pages/Page_0/Content.xml",
                      lambda xml: re.sub(rb'DeltaX="[^"]*"', f'DeltaX="{value}"'.encode(), xml, count=1))
    try:
        [page] = read_ofd("a.ofd", data).pages
    except UnreadableFile as exc:
        assert "《a.ofd》" in str(exc)
    else:
        assert len(page.texts[0].advances) < len(page.texts[0].text)


def test_ten_thousand_listed_pages_are_counted_and_only_the_pages_read_are_parsed():
    """All parsed up front, 10,000 references to one Content.xml took 80 MB of Python objects."""
    pages = "".join(f'<ofd:Page ID="{i}" BaseLoc="Pages/Page_0/Content.xml"/>' for i in range(1, 10_001))
    data = rewrite_part(build_ofd_form("course", NAME, UNIT), "Doc_0/Document.xml",
                      lambda xml: re.sub(rb"<ofd:Pages>.*</ofd:Pages>", f"<ofd:Pages>{pages}</ofd:Pages>".encode(), xml))
    tracemalloc.start()
    try:
        document = read_ofd("a.ofd", data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(document.pages) == 10_000 and peak < 30 * 1024 * 1024
    assert document.pages[9_999].lines()[1] == "典型课程资源申报表"
    reading = read_scan("a.ofd", data)
    assert (reading.page_count, len(reading.pages)) == (10_000, 50)  # [limits] max_pages
