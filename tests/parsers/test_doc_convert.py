"""Old and other-suite Word formats, converted by a real LibreOffice, read like their .docx twins."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from ingest.samples.forms import build_case_form, build_course_form, build_project_form
from tests.support.office import have_libreoffice, office_save
from parsers import doc_convert, office_server
from parsers.facts import ConversionFailed, UnreadableFile
from parsers.word import read_word

pytestmark = pytest.mark.skipif(not have_libreoffice(), reason="LibreOffice (libreoffice-writer-nogui) not installed")

TWINS = {
    "case.docx": build_case_form(),
    "project.docx": build_project_form(),
    "course.docx": build_course_form(tick_style="☑", share_consent=False),
    "ticked.docx": build_course_form(tick_style="wingdings"),  # boxes as Wingdings 2 symbols
    "lettered.docx": build_course_form(tick_style="wingdings_text"),  # R and £ typed in Wingdings 2, as WPS does
    "inline.docx": build_case_form(layout="inline"),  # several paragraphs in a row's first cell
}


def _fields(data: bytes, name: str) -> dict:
    form = read_word(data, name).form
    return {"kind": form.kind, "title": form.title, "unit": form.unit, **form.fields,
            "types": form.resource_types, "consent": form.share_consent, "lengths": form.section_lengths}


@pytest.fixture(scope="module")
def saved():
    """Every twin as LibreOffice writes it: .doc, .wps, .rtf, .odt, and .doc written straight from .docx."""
    out = {fmt: office_save(TWINS, fmt) for fmt in ("doc", "wps", "rtf", "odt")}
    out["direct"] = office_save(TWINS, "doc", direct=True)
    return out


@pytest.fixture
def fresh_server(monkeypatch):
    """A server of the test's own, so restarts and failures do not touch the shared one."""
    server = office_server.OfficeServer()
    monkeypatch.setattr(office_server, "_server", server)
    yield server
    server.close(remove_profile=True)


def _group_gone(pgid: int, seconds: float = 10) -> bool:
    """True once no process of the group is left (killed children are reaped by init shortly after)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("fmt", ["doc", "wps", "rtf", "odt"])
@pytest.mark.parametrize("stem", ["case", "project", "course", "ticked", "lettered", "inline"])
def test_converted_form_yields_the_same_fields_as_its_docx_twin(saved, fmt, stem):
    data = saved[fmt][f"{stem}.{fmt}"]
    assert data[:4] in (b"\xd0\xcf\x11\xe0", b"{\\rt", b"PK\x03\x04")
    assert _fields(data, f"杭州市西湖区社区学院+{stem}.{fmt}") == _fields(TWINS[f"{stem}.docx"], f"{stem}.docx")


@pytest.mark.parametrize("stem", ["case", "project", "course", "ticked", "lettered", "inline"])
def test_doc_whose_table_libreoffice_runs_together_is_rebuilt_from_its_cell_marks(saved, stem):
    data = saved["direct"][f"{stem}.doc"]
    assert _fields(data, f"{stem}.doc") == _fields(TWINS[f"{stem}.docx"], f"{stem}.docx")


def test_one_warm_server_converts_many_forms(saved, fresh_server):
    for fmt in ("doc", "wps", "rtf"):
        for name, data in saved[fmt].items():
            assert read_word(data, name).form is not None
    assert fresh_server.starts == 1


def test_a_dead_server_is_restarted_on_the_next_form(saved, fresh_server):
    doc = saved["doc"]["case.doc"]
    assert read_word(doc, "a.doc").form.kind == "case"
    os.killpg(fresh_server.pid(), signal.SIGKILL)
    assert read_word(doc, "b.doc").form.kind == "case"
    assert fresh_server.starts == 2


def test_a_conversion_past_its_timeout_is_an_internal_failure_and_the_server_restarts(saved, fresh_server,
                                                                                         monkeypatch):
    doc = saved["doc"]["project.doc"]
    read_word(doc, "warm.doc")  # started and warm
    first = fresh_server.pid()
    monkeypatch.setattr(doc_convert, "CONVERT_TIMEOUT", 0.001)
    with pytest.raises(ConversionFailed, match="超过"):
        read_word(doc, "杭州市西湖区社区学院+项目.doc")
    assert fresh_server.pid() is None  # killed with its soffice
    assert _group_gone(first)
    monkeypatch.setattr(doc_convert, "CONVERT_TIMEOUT", 120)
    assert read_word(doc, "again.doc").form.kind == "project"
    assert fresh_server.starts == 2


def test_without_a_uno_python_the_cold_path_converts(saved, fresh_server, monkeypatch):
    monkeypatch.setenv("INTAKE_UNO_PYTHON", sys.executable)  # the venv's Python has no uno module
    assert _fields(saved["wps"]["course.wps"], "course.wps") == _fields(TWINS["course.docx"], "course.docx")
    assert fresh_server.broken and fresh_server.pid() is None


def test_missing_libreoffice_is_our_failure_not_the_files(saved, fresh_server, monkeypatch):
    monkeypatch.setattr(doc_convert.shutil, "which", lambda name: None)
    monkeypatch.setattr(office_server.shutil, "which", lambda name: None)
    with pytest.raises(ConversionFailed, match="LibreOffice") as caught:
        read_word(saved["doc"]["case.doc"], "杭州市西湖区社区学院+案例.doc")
    assert not isinstance(caught.value, UnreadableFile)


def test_a_broken_doc_is_unreadable_and_named(saved):
    doc = saved["doc"]["case.doc"]
    with pytest.raises(UnreadableFile, match=r"《西湖区\+案例\.doc》.*损坏"):
        read_word(doc[:1536], "西湖区+案例.doc")
    with pytest.raises(UnreadableFile, match=r"《西湖区\+案例\.wps》是WPS 文字（\.wps）格式"):
        read_word(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504), "西湖区+案例.wps")


def test_a_password_protected_doc_is_unreadable_and_named(saved):
    from tests.support.office import office_encrypt

    locked = office_encrypt(saved["odt"]["case.odt"], ".odt", "MS Word 97")
    with pytest.raises(UnreadableFile, match=r"《西湖区\+案例\.doc》设置了打开密码"):
        read_word(locked, "西湖区+案例.doc")


def test_a_workbook_sent_as_doc_is_the_files_fault_and_the_server_stays_up(fresh_server):
    import openpyxl
    from io import BytesIO

    book = openpyxl.Workbook()
    book.active.append(["序号", "申报单位"])
    out = BytesIO()
    book.save(out)
    xls = office_save({"汇总.xlsx": out.getvalue()}, "xls")["汇总.xls"]
    with pytest.raises(UnreadableFile, match=r"《西湖区\+案例\.doc》"):
        read_word(xls, "西湖区+案例.doc")
    assert fresh_server.pid() is not None and fresh_server.starts == 1
