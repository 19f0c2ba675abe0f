"""Unpacking archives (.zip, .rar, .7z, .tar, .gz, .bz2, .xz) into the files they carry.

One entry point, `unpack`, whatever the format: zips go through pyzipper
(ZipCrypto and the WinZip AES that 7-Zip, WinRAR, 360压缩 and Bandizip
write), .7z through py7zr (AES, encrypted headers), RAR 4/5 and the tar
family through libarchive. Windows' built-in zip tool and most Chinese
archivers write member names in GBK without the UTF-8 flag; Python reads them
as CP437, so they are re-encoded and decoded as GB18030.

Everything read is counted against one `Budget` per message, across all
nesting levels: total unpacked bytes, the ratio of unpacked to packed bytes,
and the number of members. Reading stops the moment a limit is passed, so a
zip bomb costs no more than the limit.
"""

from __future__ import annotations

import io
import lzma
import zipfile
import zlib
from collections.abc import Sequence

from parsers import archive_formats
from parsers.archive_base import (CHUNK, CORRUPT, MB, NEEDS_PASSWORD, UNSUPPORTED_METHOD, ArchiveMember, Budget,
                                  WrongPassword, is_junk, split_path)
from parsers.facts import UnreadableFile
from parsers.passwords import MAX_CANDIDATES
from parsers.text import decode_bytes

VERIFY_LIMIT = 64 * MB  # members up to this size are read in full to check a password
_UTF8_FLAG = 0x800
_WRONG_KEY = (RuntimeError, zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError, EOFError)


def unpack(data: bytes, ext: str, passwords: Sequence[str] = (), budget: Budget | None = None) -> list[ArchiveMember]:
    """Every regular file in an archive of type `ext` (as sniffed); raises UnreadableFile with the reason."""
    budget = budget or Budget()
    passwords = list(dict.fromkeys(passwords))[:MAX_CANDIDATES]  # the mail's best few (parsers.passwords), each tried once
    if ext == ".zip":
        return unpack_zip(data, passwords, budget)
    if ext == ".7z":
        return archive_formats.unpack_7z(data, passwords, budget)
    return archive_formats.unpack_libarchive(data, ext, budget)


def unpack_zip(data: bytes, passwords: Sequence[str] = (), budget: Budget | None = None) -> list[ArchiveMember]:
    """Every regular file in a zip, ZipCrypto or AES encrypted ones with a password from the mail."""
    import pyzipper

    budget = budget or Budget()
    try:
        archive = pyzipper.AESZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise UnreadableFile(CORRUPT) from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir() and not is_junk(member_name(i))]
        budget.add_members(len(infos))
        budget.expect(sum(i.file_size for i in infos))
        encrypted = [i for i in infos if i.flag_bits & 0x1]
        password = _zip_password(archive, encrypted[0], passwords, budget) if encrypted else None
        return [ArchiveMember(*split_path(member_name(i)), _read_zip_member(archive, i, password, budget))
                for i in infos]


def member_name(info: zipfile.ZipInfo) -> str:
    """The real name of a member, whatever encoding its writer used."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    return decode_bytes(raw, "gb18030")


def _zip_password(archive, info: zipfile.ZipInfo, passwords: Sequence[str], budget: Budget) -> bytes:
    """The first given password that opens the zip: 7-Zip writes AES passwords as UTF-8, Windows tools GBK
    (an ASCII password is the same bytes in both, and tried once)."""
    if not passwords:
        raise UnreadableFile(NEEDS_PASSWORD)
    for password in passwords:
        for candidate in dict.fromkeys(password.encode(codec, errors="ignore") for codec in ("utf-8", "gb18030")):
            budget.try_password()
            try:
                _verify(archive, info, candidate)
                return candidate
            except _WRONG_KEY:  # "Bad password", or garbage after a lucky check byte
                continue
            except NotImplementedError as exc:
                raise UnreadableFile(UNSUPPORTED_METHOD) from exc
    raise WrongPassword(passwords)


def _verify(archive, info: zipfile.ZipInfo, password: bytes) -> None:
    """Raise unless `password` decrypts the member: ZipCrypto's check byte lets 1 wrong key in 256 through,
    so a small member is read to its CRC; a large one (a bomb?) only to its first byte."""
    with archive.open(info, pwd=password) as member:
        if info.file_size > VERIFY_LIMIT:
            member.read(1)
            return
        while member.read(CHUNK):
            pass


def _read_zip_member(archive, info: zipfile.ZipInfo, password: bytes | None, budget: Budget) -> bytes:
    out = io.BytesIO()
    try:
        with archive.open(info, pwd=password if info.flag_bits & 0x1 else None) as member:
            while chunk := member.read(CHUNK):
                budget.take(len(chunk))
                out.write(chunk)
    except RuntimeError as exc:  # a second member under another password
        raise WrongPassword([p.decode("utf-8", "replace") for p in [password or b""]]) from exc
    except NotImplementedError as exc:
        raise UnreadableFile(UNSUPPORTED_METHOD) from exc
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as exc:
        raise UnreadableFile("压缩包内的文件无法解压（文件已损坏），请重新压缩后发送，或直接发送附件。") from exc
    return out.getvalue()


