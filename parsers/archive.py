"""Unpacking .zip attachments into the files they carry.

Windows' built-in zip tool and most Chinese archivers write member names in
GBK without setting the UTF-8 flag; Python then reads them as CP437, so we
re-encode and decode as GB18030. Limits guard against zip bombs.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass

from parsers.facts import UnreadableFile
from parsers.text import decode_bytes

MAX_MEMBERS = 500
MAX_TOTAL_BYTES = 512 * 1024 * 1024
_UTF8_FLAG = 0x800
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")


@dataclass
class ArchiveMember:
    name: str  # base name, decoded
    path: str  # full path inside the archive
    data: bytes


def member_name(info: zipfile.ZipInfo) -> str:
    """The real name of a member, whatever encoding its writer used."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    return decode_bytes(raw, "gb18030")


def unpack_zip(data: bytes) -> list[ArchiveMember]:
    """Every regular file in a zip; raises UnreadableFile when it cannot be opened."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableFile("压缩包已损坏，无法解压，请重新压缩后发送。") from exc
    infos = [i for i in archive.infolist() if not i.is_dir() and not _is_junk(i.filename)]
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise UnreadableFile("压缩包内文件过多或过大，请拆分后分别发送。")
    members = []
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnreadableFile("压缩包设置了密码，无法解压，请发送不加密的压缩包或直接发送附件。")
        try:
            payload = archive.read(info)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as exc:
            raise UnreadableFile("压缩包内文件无法解压（文件损坏或压缩方式不受支持），请直接发送附件。") from exc
        path = member_name(info)
        members.append(ArchiveMember(name=posixpath.basename(path.replace("\\", "/")), path=path, data=payload))
    return members


def _is_junk(name: str) -> bool:
    return any(part in name for part in _JUNK) or posixpath.basename(name).startswith("._")
