"""Turn whatever a unit sent as "the Word form" into .docx bytes, or say why not.

Units send .docx, old .doc, WPS .wps (a Word 97 file inside), RTF saved as
.doc, OpenDocument .odt, password-protected files and files broken in
transit. python-docx reads only .docx, so the other formats go through
LibreOffice: the warm server of parsers/office_server.py, or one soffice start
per file when that server cannot run here.

Whose fault a failure is decides what happens next. A file LibreOffice cannot
load, or one that is not a document at all, is the file's: UnreadableFile, a
notice naming the file. LibreOffice missing, hanging or crashing is ours:
ConversionFailed, which the pipeline files as an error for the coordinator.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from pathlib import Path

import docx
import olefile

from parsers import office_server
from parsers.doc_text import cell_marks, doc_blocks
from parsers.facts import ConversionFailed, UnreadableFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
RTF_MAGIC = b"{\\rtf"
ODT_MIME = b"application/vnd.oasis.opendocument.text"
KINDS = {".doc": "旧版 Word（.doc）", ".wps": "WPS 文字（.wps）", ".rtf": "RTF", ".odt": "OpenDocument（.odt）"}
DOCX_FILTER = "MS Word 2007 XML"
CONVERT_TIMEOUT = 120  # seconds per file; a stuck LibreOffice must not stall the intake


def ensure_docx(data: bytes, filename: str) -> bytes:
    """Return .docx bytes for `data`, converting other formats; raise UnreadableFile otherwise."""
    suffix = Path(filename).suffix.lower()
    if not data:
        raise UnreadableFile(f"附件《{filename}》是空文件（0 字节），请重新添加附件后发送。")
    if data.startswith(ZIP_MAGIC):
        return convert(data, filename, ".odt") if _is_odt(data) else data
    if data.startswith(OLE_MAGIC):
        return _from_ole(data, filename, suffix)
    if data.startswith(RTF_MAGIC):
        return convert(data, filename, ".rtf")
    raise UnreadableFile(
        f"附件《{filename}》已损坏或不是 Word 文档，系统无法打开。请确认文件能在电脑上正常打开，"
        "另存为 .docx 格式后重新发送。"
    )


def _from_ole(data: bytes, filename: str, suffix: str) -> bytes:
    kind = KINDS.get(suffix, KINDS[".doc"])
    if is_encrypted(data):
        raise UnreadableFile(
            f"附件《{filename}》设置了打开密码，系统无法读取。请取消密码（在 Word 中选择“文件—信息—保护文档—"
            "用密码进行加密”，清空密码）后保存为 .docx 格式重新发送。"
        )
    try:
        streams = {"/".join(s) for s in olefile.OleFileIO(io.BytesIO(data)).listdir()}
    except Exception as exc:  # noqa: BLE001 - olefile raises many kinds on a damaged container
        raise UnreadableFile(
            f"附件《{filename}》是{kind}格式，但文件已损坏，系统无法打开。请确认文件能在电脑上正常打开，"
            "另存为 .docx 格式后重新发送。"
        ) from exc
    if "WordDocument" in streams:  # Word 97-2003, and what WPS 文字 saves as .wps
        return _keep_tables(data, convert(data, filename, ".doc", kind))
    return convert(data, filename, suffix if suffix in KINDS else ".doc")


def _is_odt(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            return "word/document.xml" not in names and "mimetype" in names and z.read("mimetype").strip() == ODT_MIME
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


def is_encrypted(data: bytes) -> bool:
    """True for a password-protected Office file (OOXML in an OLE box, or an encrypted .doc/.xls)."""
    import msoffcrypto

    try:
        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # noqa: BLE001 - an unknown OLE file is not "encrypted" for our purposes
        return False


def convert(data: bytes, filename: str, suffix: str, kind: str = "") -> bytes:
    """Convert a document to .docx with LibreOffice; UnreadableFile (saying it is a `kind` file) when
    LibreOffice cannot load it."""
    kind = kind or KINDS.get(suffix, "旧版 Word")
    with tempfile.TemporaryDirectory(prefix="intake-doc-") as tmp:
        source, target = Path(tmp, "form" + suffix), Path(tmp, "form.docx")
        source.write_bytes(data)
        if not libreoffice(source, target, DOCX_FILTER, filename, "docx"):
            raise UnreadableFile(
                f"附件《{filename}》是{kind}格式，但文件已损坏或内容无法识别，系统无法打开。"
                "请用 Word 或 WPS 打开后“另存为”.docx 格式，再重新发送。"
            )
        return target.read_bytes()


def libreoffice(source: Path, target: Path, filter_name: str, filename: str, extension: str) -> bool:
    """Write `target` from `source`, warm if possible, else one soffice per file.

    False when LibreOffice cannot load the file (the file's fault);
    ConversionFailed when LibreOffice is missing, hangs or crashes (ours).
    """
    try:
        office_server.server().convert(source, target, filter_name, CONVERT_TIMEOUT)
    except office_server.OfficeUnavailable:
        outdir = target.parent / "cold"
        convert_cold(source, outdir, filename, extension)
        written = outdir / (source.stem + "." + extension)
        if written.exists():
            written.replace(target)
    except office_server.OfficeFailed as exc:
        raise ConversionFailed(f"用 LibreOffice 转换附件《{filename}》时失败：{exc}") from exc
    except office_server.FileRefused:
        return False
    return target.exists()


def convert_cold(source: Path, outdir: Path, filename: str, extension: str = "docx") -> None:
    """One soffice start for one file (the fallback, and the floor bench/convert.py measures)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise ConversionFailed(f"本机没有安装 LibreOffice（Debian 软件包 libreoffice-writer-nogui），无法转换附件《{filename}》")
    command = [exe, f"-env:UserInstallation={Path(outdir.parent, 'profile').as_uri()}", "--headless",
               "--norestore", "--convert-to", extension, "--outdir", str(outdir), str(source)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=CONVERT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise ConversionFailed(f"用 LibreOffice 转换附件《{filename}》超过 {CONVERT_TIMEOUT} 秒未完成") from None


def _keep_tables(doc: bytes, converted: bytes) -> bytes:
    """Rebuild the tables LibreOffice ran together when it read a .doc ending in a table.

    The converted form is kept unless the .doc has cell marks and the
    conversion has fewer than half as many cells (see parsers/doc_text.py).
    """
    marks = cell_marks(doc)
    if marks < 4:
        return converted
    try:
        with zipfile.ZipFile(io.BytesIO(converted)) as z:
            xml = z.read("word/document.xml")
        if (xml.count(b"<w:tc>") + xml.count(b"<w:tc ")) * 4 >= marks:  # cells ≈ marks/2 when rows survived
            return converted
        return _rebuild(doc)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return converted


def _rebuild(doc: bytes) -> bytes:
    """A plain .docx with the .doc's paragraphs and one table per row."""
    document = docx.Document()
    for block in doc_blocks(doc):
        if block.cells is None:
            document.add_paragraph(block.text)
            continue
        row = document.add_table(rows=1, cols=len(block.cells)).rows[0]
        for cell, text in zip(row.cells, block.cells):
            lines = text.split("\n")
            cell.paragraphs[0].add_run(lines[0])
            for line in lines[1:]:
                cell.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
