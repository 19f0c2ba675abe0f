"""Archive passwords that submitters write into the mail.

They write `解压密码：1234`, `压缩包密码 abc123`, `密码为8888`, `密码是：【zh2022】`
in the body or the subject, with full-width colons and brackets, sometimes
followed straight by Chinese words (`密码为1234谢谢`). Every candidate is kept
in the order written; the archive reader tries them in turn.
"""

from __future__ import annotations

import re
import unicodedata

_PASSWORD = re.compile(
    r"(?:解压|压缩包|压缩文件|压缩|附件|文件|打开)?(?:密码|口令)\s*(?:为|是|[:：])?\s*[:：]?\s*"
    r"[【\[（(“\"‘'《<]?\s*([^\s，,。；;、）)】\]”\"’'》>]+)"
)
_NOT_ARCHIVE = re.compile(r"(?:邮箱|登录|登陆|网盘|账号|帐号|支付)$")
_ASCII_RUN = re.compile(r"[!-~]+")


def find_passwords(*texts: str) -> list[str]:
    """Every password candidate in the texts (subject, body, HTML text), first written first, once each."""
    found: list[str] = []
    for text in texts:
        for match in _PASSWORD.finditer(text or ""):
            if _NOT_ARCHIVE.search(text[max(0, match.start() - 4):match.start()]):
                continue
            found.extend(_variants(match.group(1)))
    return list(dict.fromkeys(p for p in found if p))


def _variants(value: str) -> list[str]:
    """The value as written, in half-width form, and its leading ASCII run (`1234谢谢` → `1234`)."""
    value = value.strip()
    narrow = unicodedata.normalize("NFKC", value)
    out = [value, narrow]
    run = _ASCII_RUN.match(narrow)
    if run and run.group(0) != narrow:
        out.append(run.group(0))
    return out
