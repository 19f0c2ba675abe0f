"""One mistake, one defect: exports saved from Word, forms sent twice, Word files and scans that did not pair.

And OCR slips (issue 19): a name read a character or two off still pairs
with its Word form, while two different forms of one kind stay apart.
"""

from __future__ import annotations

import pytest

from parsers.facts import Material, ScanPage, SealFinding
from rules import RULES
from rules.campaign import Campaign
from rules.pairing import pair_forms
from tests.rules.test_scans import STAMPED, UNIT, scan, submission, word

CASE = "银龄数字课堂：社区老年人智能手机应用培训"
OTHER_CASE = "银龄数字课堂：社区老年人防范电信诈骗培训"
COURSE = "手把手教您用健康码与线上挂号"


def exported(index: int, kind: str | None, name: str | None = None) -> ScanPage:
    """A page of a PDF saved from the Word form: text, no seal."""
    return ScanPage(index=index, form_kind=kind, name=name, unit=UNIT if name else None,
                    seal=SealFinding(found=False, confidence=0.05), exported=True)


def stamped(index: int, kind: str, name: str, unit: str = UNIT) -> ScanPage:
    return ScanPage(index=index, form_kind=kind, name=name, unit=unit, seal=STAMPED)


def told(sub, campaign: Campaign | None = None) -> list:
    """What the pairing checks (the count, Word file, scan, seal and name checks) tell the unit."""
    campaign = campaign or Campaign()
    return [d for rule in RULES if rule.__module__ == "rules.scans" for d in rule(sub, campaign)]


def errors(sub, campaign: Campaign | None = None) -> list[str]:
    return [d.code for d in told(sub, campaign) if d.severity == "error"]


def test_pdf_exported_from_word_and_the_stamped_scan_without_word_file_is_word_missing_alone():
    export = scan("案例申报表.pdf", exported(0, "case", CASE))
    paper = scan("案例申报表（盖章）.pdf", stamped(0, "case", CASE))
    sub = submission(export, paper, declared=1)
    [group] = pair_forms(sub.materials)
    assert group.word is None and group.exports == [(export, 0)] and group.scan_pages == [(paper, 0)]
    [defect] = told(sub)
    assert (defect.code, defect.where) == ("WORD_MISSING", "案例申报表.pdf")
    assert "导出的PDF" in defect.message and "可编辑的Word版" in defect.message


def test_pdf_exported_from_word_is_not_the_stamped_scan_and_is_never_asked_for_a_seal():
    case = word("case", CASE)
    sub = submission(case, scan("案例申报表.pdf", exported(0, "case", CASE)), declared=1)
    [defect] = told(sub)
    assert (defect.code, defect.where) == ("SCAN_MISSING", case.filename)
    assert "《案例申报表.pdf》是由Word导出" in defect.message
    with_scan = submission(case, scan("案例申报表.pdf", exported(0, "case", CASE)),
                           scan("案例申报表（盖章）.jpg", stamped(0, "case", CASE)), declared=1)
    assert told(with_scan) == []


def test_a_pdf_saved_from_word_alone_asks_for_the_word_file_and_the_stamped_scan_never_for_a_seal():
    sub = submission(scan("案例申报表.pdf", exported(0, "case", CASE)), declared=1)
    assert [(d.code, d.where) for d in told(sub)] == [("WORD_MISSING", "案例申报表.pdf"),
                                                     ("SCAN_MISSING", "案例申报表.pdf")]
    assert errors(sub, Campaign(require_scan=False)) == ["WORD_MISSING"]


def test_an_exported_pdf_with_an_e_seal_is_the_stamped_version():
    sealed = ScanPage(index=0, form_kind="case", name=CASE, unit=UNIT, exported=True,
                      seal=SealFinding(found=True, confidence=0.9, method="e-seal-image"))
    assert told(submission(word("case", CASE), scan("案例（电子章）.pdf", sealed), declared=1)) == []


def test_one_scan_sent_as_pdf_and_as_jpg_without_word_file_is_one_form():
    sub = submission(scan("案例盖章件.pdf", stamped(0, "case", CASE)),
                     scan("案例盖章件.jpg", stamped(0, "case", "银龄数宇课堂：社区老年人智能手机应用培训")), declared=1)
    assert errors(sub) == ["WORD_MISSING"]


def test_two_different_forms_of_one_kind_without_word_files_stay_two():
    sub = submission(scan("案例一.pdf", stamped(0, "case", CASE)), scan("案例二.pdf", stamped(0, "case", OTHER_CASE)),
                     declared=2)
    assert errors(sub) == ["WORD_MISSING", "WORD_MISSING"]


def test_a_wrong_scan_is_told_as_its_missing_scan_and_word_file_not_also_as_a_wrong_count():
    sub = submission(word("case", CASE), scan("课程盖章件.pdf", stamped(0, "course", COURSE)), declared=1)
    assert sorted(errors(sub)) == ["SCAN_MISSING", "WORD_MISSING"]


def test_a_wrong_count_is_still_told_when_pairing_does_not_explain_it():
    sub = submission(word("case", CASE), scan("课程盖章件.pdf", stamped(0, "course", COURSE)), declared=3)
    assert "COUNT_MISMATCH" in errors(sub)
    paired = submission(word("case", CASE), scan("案例盖章件.pdf", stamped(0, "case", CASE)), declared=2)
    assert errors(paired) == ["COUNT_MISMATCH"]
    without_scans = Campaign(require_scan=False)
    assert "COUNT_MISMATCH" in errors(submission(word("case", CASE), scan("课程.pdf", stamped(0, "course", COURSE)),
                                                 declared=1), without_scans)


def test_a_form_whose_title_ocr_could_not_read_pairs_by_the_name_it_shows():
    untitled = ScanPage(index=1, form_kind=None, name="银龄数字课堂：社区老年人智能手机应用陪训", unit=UNIT, seal=STAMPED)
    both = scan("盖章扫描件.pdf", stamped(0, "course", COURSE), untitled)
    sub = submission(word("case", CASE), word("course", COURSE), both, declared=2)
    assert told(sub) == []
    assert sorted((g.kind, [i for _, i in g.scan_pages]) for g in pair_forms(sub.materials)) == [
        ("case", [1]), ("course", [0])]


def test_an_untitled_page_whose_name_no_word_form_has_is_not_taken_for_a_form():
    stray = ScanPage(index=0, form_kind=None, name="社区书法绘画兴趣班", unit=UNIT, seal=STAMPED)
    sub = submission(word("case", CASE), scan("盖章件.pdf", stray), declared=1)
    assert errors(sub) == ["SCAN_MISSING"]


def test_forms_that_may_be_inside_an_unreadable_archive_are_not_also_a_wrong_count():
    broken = Material(kind="other", filename="其余材料.rar", sha256="1" * 64, size=10, unreadable="压缩包已损坏")
    sub = submission(word("case", CASE), scan("案例盖章件.pdf", stamped(0, "case", CASE)), broken, declared=3)
    assert errors(sub) == []
    too_many = submission(word("case", CASE), word("course", COURSE), broken, declared=1)
    assert "COUNT_MISMATCH" in errors(too_many)  # more forms than declared: the archive cannot explain that


# ---------------------------------------------------------------- OCR slips (issue 19)

SHORT = "银龄数字课堂"  # 6 characters
SHORT_OTHER = "银龄智能课堂"  # another form of the same kind, 2 characters apart
LONG_UNIT = "宁波市海曙区社区学院"  # 10 characters


@pytest.mark.parametrize("read", [
    "银令数字课堂",  # 6 characters, one wrong
    "银龄数宇课常",  # 6 characters, two wrong
    "银龄数字课堂：社区老年人知能手机应用陪训",  # a long name, two wrong
    "银令数字课堂：社区老年人智能手机应用",  # a long name, one wrong and its end cut off
])
def test_a_name_read_one_or_two_characters_off_pairs_with_its_word_form(read):
    title = SHORT if len(read) == 6 else CASE
    case = word("case", title, "案例.docx")
    other = word("case", SHORT_OTHER if len(read) == 6 else OTHER_CASE, "案例二.docx")
    scans = [scan("案例盖章件.jpg", stamped(0, "case", read, unit="宁波市海归区社区学校")),
             scan("案例二盖章件.jpg", stamped(0, "case", other.form.title))]
    groups = pair_forms([case, other, *scans])
    assert {g.word.filename: g.scan_pages[0][0].filename for g in groups} == {
        "案例.docx": "案例盖章件.jpg", "案例二.docx": "案例二盖章件.jpg"}
    assert told(submission(case, other, *scans, declared=2)) == []


@pytest.mark.parametrize("unit", ["宁波市海归区社区学院", "宁波市海归区社区学校"])  # one and two characters off
def test_a_unit_read_off_on_the_scan_does_not_decide_between_two_forms_of_one_name(unit):
    """A city forwarding two districts' forms of one title: the unit read on the scan, slips and all, breaks the tie."""
    here = word("case", CASE, "海曙区案例.docx")
    here.form.unit = LONG_UNIT
    there = word("case", CASE, "江北区案例.docx")
    there.form.unit = "宁波市江北区社区学院"
    scans = [scan("江北区盖章件.jpg", stamped(0, "case", CASE, unit="宁波市江北区社区学院")),
             scan("海曙区盖章件.jpg", stamped(0, "case", CASE, unit=unit))]
    groups = pair_forms([here, there, *scans])
    assert {g.word.filename: g.scan_pages[0][0].filename for g in groups} == {
        "海曙区案例.docx": "海曙区盖章件.jpg", "江北区案例.docx": "江北区盖章件.jpg"}


def test_a_scan_of_a_genuinely_different_form_of_the_same_kind_does_not_pair_by_name():
    case, other = word("case", SHORT, "案例.docx"), word("case", SHORT_OTHER, "案例二.docx")
    only_other = scan("盖章件.jpg", stamped(0, "case", SHORT_OTHER))
    groups = pair_forms([case, other, only_other])
    assert {g.word.filename: [m.filename for m, _ in g.scan_pages] for g in groups} == {
        "案例.docx": [], "案例二.docx": ["盖章件.jpg"]}



def test_a_scan_whose_title_was_misread_as_another_kind_pairs_by_the_name_it_shows():
    case = word("case", CASE, "案例.docx")
    misread = scan("案例盖章件.jpg", stamped(0, "project", CASE))
    groups = pair_forms([case, misread])
    assert [(g.kind, [m.filename for m, _ in g.scan_pages]) for g in groups] == [("case", ["案例盖章件.jpg"])]
    assert told(submission(case, misread, declared=1)) == []


def test_a_scan_of_another_kind_with_another_name_is_not_taken_for_the_word_forms_scan():
    case = word("case", CASE, "案例.docx")
    course_scan = scan("课程盖章件.jpg", stamped(0, "course", COURSE))
    assert sorted(errors(submission(case, course_scan, declared=1))) == ["SCAN_MISSING", "WORD_MISSING"]
