"""A filed scan page comes back as it was read: a re-judged mail pairs as the first judging did."""

from __future__ import annotations

from parsers.facts import Material, ScanPage, ScanReading, SealFinding
from storage.mapping import material_from_row, material_row


def test_a_page_saved_from_word_is_still_an_export_when_read_back():
    pages = [ScanPage(index=0, form_kind="case", name="银龄数字课堂", exported=True),
             ScanPage(index=1, form_kind="case", name="银龄数字课堂", seal=SealFinding(found=True, confidence=0.9))]
    material = Material(kind="scan", filename="案例申报表.pdf", sha256="a" * 64, size=10, scan=ScanReading(pages=pages))
    back = material_from_row(material_row(1, material))
    assert [p.exported for p in back.scan.pages] == [True, False]
