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
import posixpath
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from parsers.facts import UnreadableFile
from parsers.passwords import MAX_CANDIDATES
from parsers.text import decode_bytes

MB = 1024 * 1024
RATIO_FLOOR = 16 * MB  # below this much unpacked data the ratio is not judged (text compresses 10×–100×)
CHUNK = 1024 * 1024
VERIFY_LIMIT = 64 * MB  # members up to this size are read in full to check a password
MAX_MESSAGE_TRIES = 4 * MAX_CANDIDATES  # passwords tried over all archives of one message
_UTF8_FLAG = 0x800
_JUNK = ("__MACOSX/", ".DS_Store", "Thumbs.db", "desktop.ini")
ARCHIVE_EXTENSIONS = {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".tbz2", ".tbz", ".xz", ".txz"}

CORRUPT = "压缩包已损坏，无法解压，请重新压缩后发送。"
UNSUPPORTED_METHOD = "压缩包使用了系统不支持的压缩方式，请改用常规的 ZIP 压缩方式重新压缩，或直接发送附件。"
NEEDS_PASSWORD = ("压缩包设置了密码，邮件中没有找到解压密码。请在邮件正文中写明解压密码（如“解压密码：1234”），"
                  "或发送不加密的压缩包，也可以直接发送附件。")


@dataclass
class ArchiveLimits:
    """How far unpacking may go for one message ([archives] in the configuration)."""

    max_depth: int = 3  # archives inside archives (and mails inside mails) opened at most this deep
    max_members: int = 500  # files in all archives of a message
    max_total_mb: int = 500  # unpacked bytes of all archives of a message
    max_ratio: int = 200  # unpacked bytes per packed byte, over all archives of a message


@dataclass
class ArchiveMember:
    name: str  # base name, decoded
    path: str  # full path inside the archive
    data: bytes


_WRONG_KEY = (RuntimeError, zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError, EOFError)


class WrongPassword(UnreadableFile):
    """A password was given in the mail but none of the given ones opens the archive."""

    def __init__(self, passwords: Sequence[str]):
        shown = "、".join(f"“{p}”" for p in list(dict.fromkeys(passwords))[:3])
        super().__init__(f"邮件中给出的解压密码（{shown}）无法打开该压缩包。请核对密码后重新发送，"
                         "或发送不加密的压缩包，也可以直接发送附件。")


class LimitExceeded(UnreadableFile):
    """A limit of the message's `Budget` was passed; the top-level file is reported, not its members."""


class Budget:
    """What the archives of one message may still unpack; shared by every nesting level."""

    def __init__(self, limits: ArchiveLimits | None = None):
        self.limits = limits or ArchiveLimits()
        self.packed = 0
        self.unpacked = 0
        self.members = 0
        self.password_tries = 0

    def open_archive(self, packed_size: int, top_level: bool) -> None:
        if top_level:
            self.packed += packed_size

    def add_members(self, count: int) -> None:
        self.members += count
        if self.members > self.limits.max_members:
            raise LimitExceeded(f"压缩包内的文件超过 {self.limits.max_members} 个，请只压缩申报材料后重新发送，"
                                 "或直接发送附件。")

    def try_password(self) -> None:
        """Count one password tried (0.1 s each on AES); a message gets a few archives' worth, not hundreds."""
        self.password_tries += 1
        if self.password_tries > MAX_MESSAGE_TRIES:
            raise LimitExceeded("邮件中设有密码的压缩包过多，系统没有逐一尝试解压。请把材料放在一个压缩包中"
                                "（或不加密）后重新发送，也可以直接发送附件。")

    def expect(self, declared: int) -> None:
        """Refuse before unpacking when the sizes an archive declares already pass a limit (most bombs tell)."""
        self._check(self.unpacked + declared)

    def take(self, size: int) -> None:
        """Count `size` more unpacked bytes; raise as soon as a limit is passed (for archives that lie)."""
        self.unpacked += size
        self._check(self.unpacked)

    def _check(self, unpacked: int) -> None:
        if unpacked > self.limits.max_total_mb * MB:
            raise LimitExceeded(f"压缩包解压后超过 {self.limits.max_total_mb} MB，请拆分成几个较小的压缩包分别发送，"
                                 "或直接发送附件。")
        if unpacked > RATIO_FLOOR and unpacked > self.limits.max_ratio * max(self.packed, 1):
            raise LimitExceeded(f"压缩包解压后的大小超过压缩前的 {self.limits.max_ratio} 倍，系统为安全起见停止解压。"
                                 "请直接发送附件，或重新压缩后发送。")


def unpack(data: bytes, ext: str, passwords: Sequence[str] = (), budget: Budget | None = None) -> list[ArchiveMember]:
    """Every regular file in an archive of type `ext` (as sniffed); raises UnreadableFile with the reason."""
    from parsers import archive_formats

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


def split_path(path: str) -> tuple[str, str]:
    """(base name, full path) of a member path written with either slash."""
    path = path.replace("\\", "/")
    return posixpath.basename(path), path


def is_junk(name: str) -> bool:
    """macOS resource forks and Windows thumbnail caches are not submitted files."""
    return any(part in name for part in _JUNK) or posixpath.basename(name).startswith("._")
