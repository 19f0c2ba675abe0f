"""The content decides what a file is; its name is only a hint."""

from __future__ import annotations

import bz2
import gzip
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from PIL import Image

from tests.support.archives import seven_zip
from ingest.samples.forms import build_case_form, encrypt_docx
from tests.support.outlook import build_tnef
from ingest.samples.scans import text_pdf
from parsers.sniff import content_extension, sniff_extension

DATA = Path(__file__).resolve().parents[1] / "data"


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _box(brand: bytes) -> bytes:
    return b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x00\x00" + brand + b"mif1" + bytes(64)


CASES = {
    ".pdf": lambda: text_pdf("case", "银龄触网", "西湖区社区学院"),
    ".jpg": lambda: _image("JPEG"),
    ".png": lambda: _image("PNG"),
    ".gif": lambda: _image("GIF"),
    ".bmp": lambda: _image("BMP"),
    ".tif": lambda: _image("TIFF"),
    ".webp": lambda: _image("WEBP"),
    ".heic": lambda: _box(b"heic"),
    ".mp4": lambda: _box(b"isom"),
    ".mov": lambda: _box(b"qt  "),
    ".avi": lambda: b"RIFF\x00\x10\x00\x00AVI LIST" + bytes(32),
    ".docx": build_case_form,
    ".xlsx": _xlsx,
    ".odt": lambda: _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
    ".ods": lambda: _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}),
    ".ofd": lambda: _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<x/>"}),
    ".zip": lambda: _zip({"西湖区+案例.docx": b"x"}),
    ".rar": lambda: (DATA / "archives" / "rar4_unicode.rar").read_bytes(),
    ".7z": lambda: seven_zip([("a.txt", b"a")]),
    ".gz": lambda: gzip.compress(b"hello"),
    ".bz2": lambda: bz2.compress(b"hello"),
    ".rtf": lambda: b"{\\rtf1\\ansi\\ansicpg936 \\'b0\\'b8\\'c0\\'fd}",
    ".dat": lambda: build_tnef([("a.docx", b"x")]),
    ".msg": lambda: (DATA / "outlook" / "tif_attachments.msg").read_bytes(),
}


@pytest.mark.parametrize("ext", sorted(CASES))
def test_content_is_recognised_without_any_name(ext):
    assert content_extension(CASES[ext](), "申报材料") == ext


@pytest.mark.parametrize("ext", sorted(CASES))
def test_content_wins_over_a_wrong_extension(ext):
    wrong = ".txt" if ext != ".txt" else ".pdf"
    assert content_extension(CASES[ext](), f"西湖区社区学院+案例{wrong}") == ext


def test_rar5_and_rar4_are_both_rar():
    for name in ("rar4_unicode.rar", "rar5_unicode.rar"):
        assert sniff_extension((DATA / "archives" / name).read_bytes()) == ".rar"


def test_the_name_keeps_its_own_spelling_inside_a_family():
    assert content_extension(_image("JPEG"), "盖章扫描件.JPEG") == ".jpeg"
    assert content_extension(_image("TIFF"), "盖章扫描件.tiff") == ".tiff"
    assert content_extension(_box(b"heic"), "IMG_0012.HEIF") == ".heif"


def test_pdf_with_junk_before_its_header_is_a_pdf():
    assert sniff_extension(b"\r\n\x00junk" + text_pdf("case", "银龄触网", "西湖区社区学院")) == ".pdf"


def test_encrypted_office_file_keeps_its_office_name():
    sealed = encrypt_docx(build_case_form())
    assert content_extension(sealed, "西湖区+案例.docx") == ".docx"
    assert content_extension(sealed, "西湖区+案例") == ".docx"


def test_unknown_content_falls_back_to_the_name():
    assert content_extension("单位,案例名称\n西湖区,银龄触网".encode("gbk"), "汇总表.csv") == ".csv"
    assert content_extension(b"just text", "") == ""
    assert sniff_extension(b"BM not really a bitmap") is None


@pytest.fixture(scope="module")
def word97(tmp_path_factory) -> bytes:
    """A Word 97–2003 .doc written by LibreOffice, as old Office and WPS save it."""
    import subprocess

    folder = tmp_path_factory.mktemp("doc")
    (folder / "form.docx").write_bytes(build_case_form())
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "doc",
                    "--outdir", str(folder), str(folder / "form.docx")], check=True, capture_output=True, timeout=180)
    return (folder / "form.doc").read_bytes()


def test_word97_document_sent_as_docx_is_a_doc_and_a_wps_name_is_kept(word97):
    assert content_extension(word97, "西湖区+案例.docx") == ".doc"
    assert content_extension(word97, "西湖区+案例") == ".doc"
    assert content_extension(word97, "西湖区+案例.wps") == ".wps"


def test_outlook_msg_is_told_apart_from_a_word_document(word97):
    msg = (DATA / "outlook" / "tif_attachments.msg").read_bytes()
    assert (content_extension(msg, "转发.doc"), content_extension(word97, "转发.msg")) == (".msg", ".doc")


def test_zip_holding_a_stored_pdf_is_a_zip_not_a_pdf():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as package:
        package.writestr("盖章扫描件.pdf", text_pdf("case", "银龄触网", "西湖区社区学院"))
    assert content_extension(buffer.getvalue(), "材料") == ".zip"


def test_text_that_merely_starts_like_a_weak_magic_number_is_not_an_archive():
    assert content_extension("BZh，这是一份说明".encode("utf-8"), "说明.txt") == ".txt"
    assert content_extension(b"BMW club notes", "说明.txt") == ".txt"
