"""What every archive format shares: the message's unpacking `Budget`, its limits, members and the reasons given.

`parsers/archive.py` (the entry point and zips) and `parsers/archive_formats.py`
(7z, RAR, tar) both build on this module, so neither imports the other back.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from parsers.facts import UnreadableFile
from parsers.passwords import MAX_CANDIDATES

MB = 1024 * 1024
RATIO_FLOOR = 16 * MB  # below this much unpacked data the ratio is not judged (text compresses 10×–100×)
CHUNK = 1024 * 1024
MAX_MESSAGE_TRIES = 4 * MAX_CANDIDATES  # passwords tried over all archives of one message
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


def split_path(path: str) -> tuple[str, str]:
    """(base name, full path) of a member path written with either slash."""
    path = path.replace("\\", "/")
    return posixpath.basename(path), path


def is_junk(name: str) -> bool:
    """macOS resource forks and Windows thumbnail caches are not submitted files."""
    return any(part in name for part in _JUNK) or posixpath.basename(name).startswith("._")
