"""Pairing Word forms with their stamped scans, and the checks judged on the pairs."""

from __future__ import annotations

import hashlib

import pytest

from ingest.samples.paper import to_pdf
from ingest.samples.scans import render_form_page
from parsers.facts import (
    ApplicationForm,
    MailMessage,
    Material,
    ScanPage,
    ScanReading,
    SealFinding,
    SubjectInfo,
    Submission,
)
from parsers.scan import read_scan
from rules.campaign import Campaign
from rules.scans import (
    check_count_mismatch,
    check_scan_missing,
    check_scan_name,
    check_stamp,
    check_word_missing,
)
from rules.pairing import pair_forms

UNIT = "杭州市西湖区老年大学"
CASE = "银龄数字课堂：社区老年人智能手机应用培训"
PROJECT = "乐龄学堂老年人防范电信诈骗专题培训"
COURSE = "手把手教您用健康码与线上挂号"
STAMPED = SealFinding(found=True, confidence=0.95, box=(400, 600, 119, 119), where="unit_opinion")


def word(kind: str, title: str, filename: str | None = None) -> Material:
    name = filename or f"西湖区+{title[:6]}.docx"
    return Material(kind=kind, filename=name, sha256=hashlib.sha256(name.encode()).hexdigest(), size=1000,
                    form=ApplicationForm(kind=kind, title=title, unit=UNIT))


def page(index: int, kind: str | None, name: str | None = None, seal: SealFinding | None = None) -> ScanPage:
    return ScanPage(index=index, form_kind=kind, name=name, unit=UNIT if name else None,
                    seal=seal or SealFinding(found=False))


def scan(filename: str, *pages: ScanPage) -> Material:
    return Material(kind="scan", filename=filename, sha256=hashlib.sha256(filename.encode()).hexdigest(),
                    size=5000, scan=ScanReading(pages=list(pages)))


def submission(*materials: Material, declared: int | None = None) -> Submission:
    subject = SubjectInfo(raw=f"{UNIT}+智慧助老材料+{declared}", unit=UNIT, keyword_found=True, declared_count=declared)
    return Submission(message=MailMessage(message_id="<t@example.cn>"), subject=subject, materials=list(materials))


def codes(defects) -> list[str]:
    return [d.code for d in defects]


def test_one_pdf_holding_every_form_pairs_each_page_with_its_word_file():
    words = [word("case", CASE), word("project", PROJECT), word("course", COURSE)]
    pdf = scan("西湖区+盖章扫描件.pdf", page(0, "course", COURSE, STAMPED), page(1, "case", CASE, STAMPED),
               page(2, "project", PROJECT, STAMPED))
    groups = pair_forms(words + [pdf])
    assert len(groups) == 3
    assert {g.word.filename: g.scan_pages for g in groups} == {
        words[0].filename: [(pdf, 1)], words[1].filename: [(pdf, 2)], words[2].filename: [(pdf, 0)],
    }


def test_misread_names_still_pair_by_kind_and_similarity():
    words = [word("case", CASE), word("case", "老年大学数字助老志愿服务行动")]
    scans = [scan("案例1.jpg", page(0, "case", "老年大学数宇助老志愿服务行功", STAMPED)),
             scan("案例2.jpg", page(0, "case", "银龄数字课香：社区老年人智能手机应用培训", STAMPED))]
    groups = pair_forms(words + scans)
    assert [(g.word.form.title, g.scan_pages[0][0].filename) for g in groups] == [
        (CASE, "案例2.jpg"), ("老年大学数字助老志愿服务行动", "案例1.jpg"),
    ]
    assert list(check_scan_name(submission(*words, *scans), Campaign())) == []


def test_one_jpg_per_page_joins_an_untitled_second_page_to_its_form():
    case = word("case", CASE)
    first = scan("案例第1页.jpg", page(0, "case", CASE))
    second = scan("案例第2页.jpg", page(0, None, seal=STAMPED))
    groups = pair_forms([case, first, second])
    assert len(groups) == 1 and groups[0].scan_pages == [(first, 0), (second, 0)]
    assert list(check_stamp(submission(case, first, second), Campaign())) == []


def test_summary_and_other_pages_are_not_forms():
    pdf = scan("汇总.pdf", page(0, "summary", seal=STAMPED), page(1, None), page(2, "other"))
    assert pair_forms([word("case", CASE), pdf])[0].scan_pages == []
    assert len(pair_forms([pdf])) == 0


def test_word_form_without_scan_is_scan_missing_naming_the_file():
    case, course = word("case", CASE), word("course", COURSE)
    sub = submission(case, course, scan("课程盖章件.pdf", page(0, "course", COURSE, STAMPED)))
    defects = list(check_scan_missing(sub, Campaign()))
    assert codes(defects) == ["SCAN_MISSING"]
    assert case.filename in defects[0].message and CASE in defects[0].message
    assert defects[0].severity == "error"
    assert list(check_scan_missing(sub, Campaign(require_scan=False))) == []


def test_unreadable_scan_does_not_also_count_as_missing():
    broken = Material(kind="scan", filename="盖章件.pdf", sha256="0" * 64, size=10, unreadable="文件已损坏")
    assert list(check_scan_missing(submission(word("case", CASE), broken), Campaign())) == []


def test_scanned_form_without_word_file_is_word_missing():
    sub = submission(word("case", CASE),
                     scan("盖章件.pdf", page(0, "case", CASE, STAMPED), page(1, "project", PROJECT, STAMPED)))
    defects = list(check_word_missing(sub, Campaign()))
    assert codes(defects) == ["WORD_MISSING"]
    assert "《盖章件.pdf》第2页" in defects[0].message and PROJECT in defects[0].message


def test_stamp_missing_is_an_error_and_a_pale_seal_only_a_warning():
    pale = SealFinding(found=False, confidence=0.45, box=(400, 600, 119, 119), where="unit_opinion")
    sub = submission(word("case", CASE), word("course", COURSE),
                     scan("西湖区+案例盖章件.pdf", page(0, "case", CASE), page(1, None)),
                     scan("课程.jpg", page(0, "course", COURSE, pale)))
    defects = list(check_stamp(sub, Campaign()))
    assert [(d.code, d.severity) for d in defects] == [("STAMP_MISSING", "error"), ("STAMP_UNCERTAIN", "warning")]
    assert "《西湖区+案例盖章件.pdf》第1、2页" in defects[0].message and "公章" in defects[0].message
    assert "课程.jpg" in defects[1].message


def test_unsigned_signature_field_asks_a_person_and_an_e_seal_or_signature_counts_as_stamped():
    pending = SealFinding(found=False, confidence=0.45, method="digital-signature")
    signed = SealFinding(found=True, confidence=1.0, method="digital-signature")
    ofd = SealFinding(found=True, confidence=1.0, box=(383, 303, 119, 119), where="unit_opinion", method="ofd-seal")
    sub = submission(word("case", CASE), word("project", PROJECT), word("course", COURSE),
                     scan("案例（待签）.pdf", page(0, "case", CASE, pending)),
                     scan("项目（已签）.pdf", page(0, "project", PROJECT, signed)),
                     scan("课程.ofd", page(0, "course", COURSE, ofd)))
    [defect] = check_stamp(sub, Campaign())
    assert (defect.code, defect.severity, defect.where) == ("STAMP_UNCERTAIN", "warning", "案例（待签）.pdf")
    assert "电子签名栏尚未签署" in defect.message


def test_scan_whose_name_differs_from_every_word_form_is_reported_with_both_names():
    sub = submission(word("project", PROJECT), scan("项目.pdf", page(0, "project", "社区书法绘画兴趣班", STAMPED)))
    defects = list(check_scan_name(sub, Campaign()))
    assert codes(defects) == ["SCAN_NAME_MISMATCH"] and defects[0].severity == "warning"
    assert "社区书法绘画兴趣班" in defects[0].message and PROJECT in defects[0].message
    assert list(check_word_missing(sub, Campaign())) == []


def test_count_counts_word_and_scan_of_a_form_once():
    materials = [word("case", CASE), word("course", COURSE),
                 scan("盖章件.pdf", page(0, "case", CASE, STAMPED), page(1, "course", COURSE, STAMPED))]
    assert list(check_count_mismatch(submission(*materials, declared=2), Campaign())) == []
    assert list(check_count_mismatch(submission(*materials, declared=None), Campaign())) == []
    defects = list(check_count_mismatch(submission(*materials, declared=3), Campaign()))
    assert codes(defects) == ["COUNT_MISMATCH"]
    assert "3份" in defects[0].message and "2份" in defects[0].message


def test_unreadable_word_file_and_its_scan_count_once_and_the_scan_is_not_word_missing():
    broken = Material(kind="case", filename="西湖区+案例.docx", sha256="0" * 64, size=10,
                      unreadable="文件已损坏")
    sub = submission(broken, scan("西湖区+案例盖章件.pdf", page(0, "case", CASE, STAMPED)), declared=1)
    assert codes(check_count_mismatch(sub, Campaign())) == []
    assert codes(check_word_missing(sub, Campaign())) == []


def test_no_count_mismatch_when_nothing_was_attached_or_nothing_could_be_read():
    assert codes(check_count_mismatch(submission(declared=3), Campaign())) == []
    broken_zip = Material(kind="other", filename="材料.zip", sha256="1" * 64, size=10, unreadable="压缩包已损坏")
    assert codes(check_count_mismatch(submission(broken_zip, declared=3), Campaign())) == []


@pytest.fixture(scope="module")
def real_scan() -> Material:
    """A real multi-page PDF through the real OCR and seal detector."""
    pages = [render_form_page("project", PROJECT, UNIT, rotate=180, jpeg_quality=70),
             render_form_page("case", CASE, UNIT, skew=2.5, seal=False)]
    data = to_pdf(pages)
    reading = read_scan("西湖区+盖章扫描件.pdf", data, workers=2)
    return Material(kind="scan", filename="西湖区+盖章扫描件.pdf", sha256=hashlib.sha256(data).hexdigest(),
                    size=len(data), scan=reading)


def test_real_scan_pairs_and_is_judged(real_scan):
    case, project, course = word("case", CASE), word("project", PROJECT), word("course", COURSE)
    groups = pair_forms([case, project, course, real_scan])
    assert {g.word.filename: [i for _, i in g.scan_pages] for g in groups} == {
        case.filename: [1], project.filename: [0], course.filename: [],
    }
    sub = submission(case, project, course, real_scan, declared=3)
    assert codes(check_stamp(sub, Campaign())) == ["STAMP_MISSING"]
    assert codes(check_scan_missing(sub, Campaign())) == ["SCAN_MISSING"]
    assert codes(check_count_mismatch(sub, Campaign())) == []
