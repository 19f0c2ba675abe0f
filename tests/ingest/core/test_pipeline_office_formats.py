"""Forms sent as .doc / .wps go through the whole pipeline like their .docx twins."""

from __future__ import annotations

import email
import email.policy

import pytest

from ingest.core.pipeline import Pipeline
from ingest.samples.forms import build_case_form, build_project_form
from ingest.samples.mails import MailSpec, build_mail
from tests.support.office import have_libreoffice, office_save
from ingest.samples.paper import scanned, to_pdf
from ingest.samples.scans import render_form_pages
from parsers import doc_convert, office_server

pytestmark = pytest.mark.skipif(not have_libreoffice(), reason="LibreOffice (libreoffice-writer-nogui) not installed")

UNIT = "杭州市西湖区社区学院"
CASE = "“银龄触网”智能手机应用进社区"
PROJECT = "“数字生活 乐享晚年”老年人智能技术应用培训项目"
TWINS = {"case.docx": build_case_form(name=CASE, unit=UNIT), "project.docx": build_project_form(name=PROJECT, unit=UNIT)}


@pytest.fixture(scope="module")
def office():
    return {"doc": office_save(TWINS, "doc"), "wps": office_save(TWINS, "wps")}


def _mail(form_name: str, form: bytes, kind: str, title: str, *, scan: bool = True, mid: str = "<f@163.com>") -> bytes:
    attachments = [(form_name, form)]
    if scan:
        pages = [scanned(p, skew=0.6, jpeg_quality=85) for p in render_form_pages(kind, title, UNIT)]
        attachments.append((form_name.rsplit(".", 1)[0] + "盖章扫描件.pdf", to_pdf(pages)))
    return build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", message_id=mid, attachments=attachments))


def _form_fields(outcome, kind: str) -> dict:
    [material] = [m for m in outcome.submission.materials if m.kind == kind]
    return material.form.fields


def _replies(settings):
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(settings.outbox_dir.glob("*.eml"))]


@pytest.mark.parametrize("fmt,kind,title", [("doc", "case", CASE), ("wps", "project", PROJECT)])
def test_a_clean_old_format_form_with_its_scan_is_accepted_with_the_docx_twins_fields(settings, office, fmt, kind,
                                                                                        title):
    word = "案例" if kind == "case" else "培训项目"
    pipeline = Pipeline(settings)
    twin = pipeline.process(_mail(f"{UNIT}+{word}.docx", TWINS[f"{kind}.docx"], kind, title, mid="<twin@163.com>"),
                            "twin.eml")
    outcome = pipeline.process(_mail(f"{UNIT}+{word}.{fmt}", office[fmt][f"{kind}.{fmt}"], kind, title), "old.eml")
    assert outcome.status == "accepted", [d.message for d in outcome.defects]
    assert sorted(m.kind for m in outcome.submission.materials) == sorted([kind, "scan"])  # the .doc/.wps is the Word
    assert _form_fields(outcome, kind) == _form_fields(twin, kind)


def test_a_wps_form_alone_is_read_and_only_its_scan_is_asked_for(settings, office):
    outcome = Pipeline(settings).process(_mail(f"{UNIT}+培训项目.wps", office["wps"]["project.wps"], "project",
                                               PROJECT, scan=False), "wps.eml")
    assert [d.code for d in outcome.defects if d.severity == "error"] == ["SCAN_MISSING"]


def test_a_broken_doc_gets_exactly_one_unreadable_notice_naming_it(settings, office):
    broken = office["doc"]["case.doc"][:2048]
    outcome = Pipeline(settings).process(_mail(f"{UNIT}+案例.doc", broken, "case", CASE), "broken.eml")
    unreadable = [d for d in outcome.defects if d.code == "ATTACHMENT_UNREADABLE"]
    assert len(unreadable) == 1 and unreadable[0].where == f"{UNIT}+案例.doc"
    assert f"《{UNIT}+案例.doc》" in unreadable[0].message
    assert "FIELD_MISSING" not in [d.code for d in outcome.defects]


def test_our_converter_failing_is_an_error_for_the_coordinator_not_a_notice_to_the_unit(settings, office,
                                                                                        monkeypatch):
    monkeypatch.setattr(office_server, "_server", office_server.OfficeServer())
    monkeypatch.setattr(office_server.shutil, "which", lambda name: None)
    monkeypatch.setattr(doc_convert.shutil, "which", lambda name: None)
    outcome = Pipeline(settings).process(_mail(f"{UNIT}+案例.doc", office["doc"]["case.doc"], "case", CASE,
                                               scan=False), "nolo.eml")
    assert outcome.status == "error" and "LibreOffice" in outcome.note
    assert [r["To"] for r in _replies(settings)] == ["coordinator@example.org.cn"]
