"""Turn whatever a unit sent as "the Word form" into .docx bytes, or say why not.

Units send .docx, old .doc, WPS .wps, RTF saved as .doc, password-protected
files and files broken in transit. python-docx reads only .docx, so old
formats go through LibreOffice when it is installed; everything else gets a
Chinese reason the submitter can act on.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from parsers.facts import UnreadableFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
RTF_MAGIC = b"{\\rtf"
OLD_FORMATS = {".doc": "旧版 Word（.doc）", ".wps": "WPS 文字（.wps）", ".rtf": "RTF"}
CONVERT_TIMEOUT = 120  # seconds; a stuck LibreOffice must not stall the intake


def ensure_docx(data: bytes, filename: str) -> bytes:
    """Return .docx bytes for `data`, converting old formats; raise UnreadableFile otherwise."""
    suffix = Path(filename).suffix.lower()
    if not data:
        raise UnreadableFile(f"附件《{filename}》是空文件（0 字节），请重新添加附件后发送。")
    if data.startswith(ZIP_MAGIC):
        return data
    if data.startswith(OLE_MAGIC):
        if is_encrypted(data):
            raise UnreadableFile(
                f"附件《{filename}》设置了打开密码，系统无法读取。请取消密码（在 Word 中选择“文件—信息—保护文档—"
                "用密码进行加密”，清空密码）后保存为 .docx 格式重新发送。"
            )
        return convert_with_soffice(data, filename, suffix if suffix in (".doc", ".wps") else ".doc")
    if data.startswith(RTF_MAGIC):
        return convert_with_soffice(data, filename, ".rtf")
    raise UnreadableFile(
        f"附件《{filename}》已损坏或不是 Word 文档，系统无法打开。请确认文件能在电脑上正常打开，"
        "另存为 .docx 格式后重新发送。"
    )


def is_encrypted(data: bytes) -> bool:
    """True for a password-protected Office file (OOXML in an OLE box, or an encrypted .doc)."""
    import msoffcrypto

    try:
        return bool(msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted())
    except Exception:  # noqa: BLE001 - an unknown OLE file is not "encrypted" for our purposes
        return False


def convert_with_soffice(data: bytes, filename: str, suffix: str) -> bytes:
    """Convert an old-format document to .docx with headless LibreOffice."""
    kind = OLD_FORMATS.get(suffix, "旧版 Word")
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        raise UnreadableFile(
            f"附件《{filename}》是{kind}格式，系统暂时无法读取。请用 Word 或 WPS 打开后"
            "“另存为”.docx 格式，再重新发送。"
        )
    with tempfile.TemporaryDirectory(prefix="intake-doc-") as tmp:
        source = Path(tmp, "form" + suffix)
        source.write_bytes(data)
        outdir = Path(tmp, "out")
        command = [
            exe,
            f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx",
            "--outdir",
            str(outdir),
            str(source),
        ]
        _run(command, filename)
        result = outdir / "form.docx"
        if not result.exists():
            raise UnreadableFile(
                f"附件《{filename}》是{kind}格式，转换为 .docx 时失败，文件可能已损坏。"
                "请用 Word 或 WPS 打开后“另存为”.docx 格式，再重新发送。"
            )
        return result.read_bytes()


def _run(command: list[str], filename: str) -> None:
    """Run LibreOffice in its own process group so a timeout kills all of it."""
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        process.wait(timeout=CONVERT_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise UnreadableFile(
            f"附件《{filename}》转换超时，系统无法读取。请另存为 .docx 格式后重新发送。"
        ) from None
