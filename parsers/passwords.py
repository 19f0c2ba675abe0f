"""Archive passwords that submitters write into the mail.

They write `解压密码：1234`, `压缩包密码 abc123`, `密码为8888`, `解压码 2022`,
`password: abc`, `密码是：【zh2022】` in the body or the subject, with
full-width colons and brackets, sometimes followed straight by Chinese words
(`密码为1234谢谢`).

Each try on an encrypted archive costs real time (about 0.1 s on an AES
.7z), and a hostile body of 150 KB holds 20,000 `密码…` tokens; so only the
best ``MAX_CANDIDATES`` are tried, ranked: a token after a word naming the
archive (解压密码, 压缩包密码, 解压码) first, then those nearest to where an
archive's file name (`材料.7z`) is mentioned, then the body before the
subject, then in the order written. A real password is written once or
twice, next to 解压 or the file's name: it stays in front.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

MAX_CANDIDATES = 8  # passwords tried on one archive, variants included

# Spaces between the word and the value never cross a line: `密码` ending one line does not take the next.
_PASSWORD = re.compile(
    r"(?P<word>(?:解压|压缩包|压缩文件|压缩|附件|文件|打开)?(?:密码|口令)|解压码|(?<![A-Za-z])(?:unzip\s*)?pass(?:word|wd))"
    r"[^\S\n]*(?:为|是|[:：])?[^\S\n]*[:：]?[^\S\n]*[【\[（(“\"‘'《<]?[^\S\n]*(?P<value>[^\s，,。；;、）)】\]”\"’'》>]+)",
    re.IGNORECASE,
)
_ARCHIVE_WORD = re.compile(r"解压|压缩|unzip", re.IGNORECASE)
_ARCHIVE_NAME = re.compile(r"\.(?:zip|rar|7z|tar|tgz|gz|bz2|xz)(?![A-Za-z0-9])", re.IGNORECASE)
_NOT_ARCHIVE = re.compile(r"(?:邮箱|登录|登陆|网盘|账号|帐号|支付)\Z")  # \Z: `$` also matches before a line break
_ASCII_RUN = re.compile(r"[!-~]+")
_FAR = float("inf")


def find_passwords(subject: str, *bodies: str) -> list[str]:
    """The best password candidates in the subject and bodies (plain, HTML text), best first, once each."""
    ranked = []
    for number, text in enumerate((subject, *bodies)):
        text = text or ""
        names = [m.start() for m in _ARCHIVE_NAME.finditer(text)]
        for match in _PASSWORD.finditer(text):
            if _NOT_ARCHIVE.search(text[max(0, match.start() - 4):match.start()]):
                continue
            rank = (0 if _ARCHIVE_WORD.search(match.group("word")) else 1, _distance(names, match.start()),
                    number == 0, number, match.start())
            ranked += [(rank, variant) for variant in _variants(match.group("value"))]
    ranked.sort(key=lambda pair: pair[0])  # stable: a match's variants stay in their order
    return list(dict.fromkeys(p for _, p in ranked if p))[:MAX_CANDIDATES]


def _distance(positions: list[int], at: int) -> float:
    """Characters from ``at`` to the nearest archive file name mentioned in the same text."""
    i = bisect.bisect_left(positions, at)
    near = [abs(positions[j] - at) for j in (i - 1, i) if 0 <= j < len(positions)]
    return min(near, default=_FAR)


def _variants(value: str) -> list[str]:
    """The value as written, in half-width form, and its leading ASCII run (`1234谢谢` → `1234`)."""
    value = value.strip()
    narrow = unicodedata.normalize("NFKC", value)
    out = [value, narrow]
    run = _ASCII_RUN.match(narrow)
    if run and run.group(0) != narrow:
        out.append(run.group(0))
    return out
