"""The .7z (py7zr) and RAR/tar/gzip/bzip2/xz (libarchive) readers behind `parsers.archive.unpack`.

py7zr reads 7-Zip's AES encryption, including encrypted file lists; it
writes each member into a `_BudgetedIO`, so the budget is charged as bytes
come out. libarchive (Debian's libarchive13) reads RAR 4 and RAR 5 and the
tar family; it cannot decrypt RAR, which is then reported as such.
"""

from __future__ import annotations

import ctypes
import io
from collections.abc import Sequence

from parsers.archive_base import (CHUNK, CORRUPT, NEEDS_PASSWORD, UNSUPPORTED_METHOD, ArchiveMember, Budget,
                                  WrongPassword, is_junk, split_path)
from parsers.facts import UnreadableFile

RAR_ENCRYPTED = ("加密的 RAR 压缩包系统无法解压。请发送不加密的压缩包，或改用 ZIP/7z 格式加密（并在正文写明解压密码），"
                 "也可以直接发送附件。")


# ------------------------------------------------------------------ 7z


class _BudgetedIO:
    """A py7zr output that charges the budget for every byte written."""

    def __init__(self, budget: Budget):
        self.budget = budget
        self.buffer = io.BytesIO()

    def write(self, data) -> int:
        self.budget.take(len(data))
        return self.buffer.write(data)

    def read(self, size=None) -> bytes:
        return self.buffer.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.buffer.seek(offset, whence)

    def flush(self) -> None:
        pass

    def size(self) -> int:
        return self.buffer.getbuffer().nbytes

    def close(self) -> None:
        pass


def _factory(budget: Budget):
    import py7zr.io

    class Factory(py7zr.io.WriterFactory):
        def __init__(self):
            self.products: dict[str, _BudgetedIO] = {}

        def create(self, filename: str):
            self.products[filename] = _BudgetedIO(budget)
            return self.products[filename]

    return Factory()


def unpack_7z(data: bytes, passwords: Sequence[str], budget: Budget) -> list[ArchiveMember]:
    """Every file of a .7z, trying each password from the mail when it is encrypted."""
    import py7zr

    if not _7z_needs_password(data):
        return _read_7z(data, None, budget)
    if not passwords:
        raise UnreadableFile(NEEDS_PASSWORD)
    start = (budget.unpacked, budget.members)
    for password in passwords:  # at most parsers.passwords.MAX_CANDIDATES (parsers.archive.unpack)
        budget.try_password()
        try:
            return _read_7z(data, password, budget)
        except _WrongKey:
            budget.unpacked, budget.members = start  # a failed attempt unpacked nothing
        except py7zr.exceptions.PasswordRequired:
            raise UnreadableFile(NEEDS_PASSWORD) from None
    raise WrongPassword(passwords)


class _WrongKey(Exception):
    """Decryption with this password produced garbage."""


def _7z_needs_password(data: bytes) -> bool:
    import py7zr

    try:
        with py7zr.SevenZipFile(io.BytesIO(data)) as archive:
            return bool(archive.needs_password())
    except py7zr.exceptions.PasswordRequired:  # the file list itself is encrypted
        return True
    except (py7zr.exceptions.Bad7zFile, py7zr.exceptions.ArchiveError, EOFError, OSError, ValueError, KeyError) as exc:
        raise UnreadableFile(CORRUPT) from exc


def _read_7z(data: bytes, password: str | None, budget: Budget) -> list[ArchiveMember]:
    import py7zr

    factory = _factory(budget)
    try:
        with py7zr.SevenZipFile(io.BytesIO(data), password=password) as archive:
            infos = [f for f in archive.list() if not f.is_directory and not is_junk(f.filename)]
            budget.add_members(len(infos))
            budget.expect(sum(f.uncompressed or 0 for f in infos))
            archive.extractall(factory=factory)
    except UnreadableFile:
        raise
    except py7zr.exceptions.UnsupportedCompressionMethodError:
        if password is None:
            return unpack_libarchive(data, ".7z", budget)
        raise UnreadableFile(UNSUPPORTED_METHOD) from None
    except py7zr.exceptions.PasswordRequired:
        raise
    except Exception as exc:  # noqa: BLE001 - py7zr raises many kinds (CRC, LZMA, struct) for bad data or keys
        if password is not None:
            raise _WrongKey() from exc
        raise UnreadableFile(CORRUPT) from exc
    return [ArchiveMember(*split_path(f.filename), factory.products[f.filename].buffer.getvalue())
            for f in infos if f.filename in factory.products]


# ------------------------------------------------------------ libarchive


def unpack_libarchive(data: bytes, ext: str, budget: Budget) -> list[ArchiveMember]:
    """Every file of a RAR, 7z or tar-family archive (compressed tars and single gzip/bzip2/xz files too)."""
    import libarchive

    if ext == ".rar" and rar_is_encrypted(data):
        raise UnreadableFile(RAR_ENCRYPTED)
    try:
        return _read_libarchive(data, _format(data, ext), budget)
    except libarchive.ArchiveError as exc:
        if _mentions_encryption(str(exc)):
            raise UnreadableFile(RAR_ENCRYPTED if ext == ".rar" else NEEDS_PASSWORD) from exc
        if ext in (".gz", ".bz2", ".xz", ".tgz", ".tbz2", ".tbz", ".txz"):  # one compressed file, not a tar
            try:
                return _read_libarchive(data, "raw", budget)
            except libarchive.ArchiveError:
                pass
        raise UnreadableFile(CORRUPT) from exc


def _read_libarchive(data: bytes, format_name: str, budget: Budget) -> list[ArchiveMember]:
    import libarchive

    members = []
    with libarchive.memory_reader(data, format_name=format_name) as archive:
        for entry in archive:
            if _is_encrypted(entry):
                raise UnreadableFile(RAR_ENCRYPTED if format_name.startswith("rar") else NEEDS_PASSWORD)
            path = entry.pathname or "data"
            if not entry.isfile or is_junk(path):
                continue
            budget.add_members(1)
            out = io.BytesIO()
            for block in entry.get_blocks(CHUNK):
                budget.take(len(block))
                out.write(block)
            members.append(ArchiveMember(*split_path(path), out.getvalue()))
    if not members and format_name == "raw":
        raise UnreadableFile(CORRUPT)
    return members


def _format(data: bytes, ext: str) -> str:
    """The one libarchive format the content was sniffed as, so a zip stored inside a RAR stays inside."""
    if ext == ".rar":
        return "rar5" if data[6:7] == b"\x01" else "rar"
    return {".tar": "tar", ".7z": "7zip"}.get(ext, "all")


def _is_encrypted(entry) -> bool:
    from libarchive import ffi

    function = ffi.libarchive.archive_entry_is_encrypted
    function.argtypes, function.restype = [ctypes.c_void_p], ctypes.c_int
    return bool(function(entry._entry_p))


def _mentions_encryption(message: str) -> bool:
    lower = message.lower()
    return any(word in lower for word in ("encrypt", "passphrase", "password"))


def rar_is_encrypted(data: bytes) -> bool:
    """Whether any header of a RAR 4 or RAR 5 archive says its names or contents are encrypted."""
    try:
        return _rar5_encrypted(data) if data[6:7] == b"\x01" else _rar4_encrypted(data)
    except (IndexError, ValueError):
        return False


def _rar4_encrypted(data: bytes) -> bool:
    pos = 7
    while pos + 7 <= len(data):
        kind, flags, size = data[pos + 2], int.from_bytes(data[pos + 3:pos + 5], "little"), \
            int.from_bytes(data[pos + 5:pos + 7], "little")
        if (kind == 0x73 and flags & 0x80) or (kind == 0x74 and flags & 0x04):
            return True
        added = int.from_bytes(data[pos + 7:pos + 11], "little") if flags & 0x8000 or kind == 0x74 else 0
        if size < 7:
            return False
        pos += size + added
    return False


def _vint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        shift += 7
        if not byte & 0x80:
            return value, pos


def _rar5_encrypted(data: bytes) -> bool:
    pos = 8
    while pos + 5 < len(data):
        size, start = _vint(data, pos + 4)
        kind, cursor = _vint(data, start)
        flags, cursor = _vint(data, cursor)
        extra = packed = 0
        if flags & 0x1:
            extra, cursor = _vint(data, cursor)
        if flags & 0x2:
            packed, cursor = _vint(data, cursor)
        if kind == 4 or (kind in (2, 3) and extra and _has_encryption_record(data, start + size - extra, start + size)):
            return True
        if size == 0:
            return False
        pos = start + size + packed
    return False


def _has_encryption_record(data: bytes, pos: int, end: int) -> bool:
    while pos < end:
        size, after = _vint(data, pos)
        kind, _ = _vint(data, after)
        if kind == 0x01:
            return True
        if size == 0:
            return False
        pos = after + size
    return False
