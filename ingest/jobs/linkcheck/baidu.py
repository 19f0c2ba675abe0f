"""How Baidu Netdisk answers about a share, without logging in.

The way the public checking tools do it: `GET /s/1<surl>` without following
redirects. A redirect to `/share/init` means the share exists and wants its
code; then `POST /share/verify?surl=<surl>` with `pwd` answers errno 0 (right
code), -9 (wrong code), -12 (code missing) or -62 (captcha: we asked too
often, which is "not checked", never a defect). With the cookie the verify
sets, the share page shows the files and, for a share that is not permanent,
its 过期时间. A share that is gone answers with a page saying why.
"""

from __future__ import annotations

import re
import time

from ingest.jobs.linkcheck.base import CheckResult, Fetcher
from parsers.facts import ShareLink

BASE_URL = "https://pan.baidu.com"

# Page texts of a share that is gone, and what to tell the submitter.
DEAD_TEXTS = (
    ("分享的文件已经被删除了", "分享的文件已被删除"),
    ("分享的文件已经被取消了", "分享已被取消"),
    ("该分享文件已过期", "分享已过期"),
    ("分享已过期", "分享已过期"),
    ("链接不存在", "链接不存在"),
    ("页面不存在", "链接不存在"),
    ("涉及侵权、色情、反动、低俗", "分享内容被屏蔽"),
)
BUSY_TEXTS = ("访问过于频繁", "请输入验证码", "安全验证")
EXPIRY = re.compile(
    r"过期时间\s*[:：]\s*(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)"
)
VERIFY_ERRNO = {
    -9: ("wrong_code", "提取码错误"),
    -12: ("wrong_code", "网盘提示缺少提取码"),
}
CAPTCHA_ERRNO = -62


def read_page(html: str) -> CheckResult:
    """What a share page (HTTP 200) says: gone, busy, or there (maybe with an expiry)."""
    for text, reason in DEAD_TEXTS:
        if text in html:
            return CheckResult("dead", reason)
    if any(text in html for text in BUSY_TEXTS):
        return CheckResult("unknown", "网盘要求输入验证码，未能检查", throttled=True)
    m = EXPIRY.search(html)
    return CheckResult("alive", "分享有效", expires_at=m.group(1) if m else None)


def _share_path(link: ShareLink) -> str:
    return link.url.removeprefix("https://pan.baidu.com")


def check(fetch: Fetcher, base: str, link: ShareLink) -> CheckResult:
    """Check one well-formed Baidu link against `base` (https://pan.baidu.com or a test server)."""
    resp = fetch.get(base + _share_path(link))
    if resp.is_redirect:
        location = resp.headers.get("location", "")
        if "/share/init" in location:
            return _verify(fetch, base, link)
        if "error" in location or "404" in location:
            return CheckResult("dead", "链接不存在")
        return CheckResult("unknown", "网盘返回了意外的跳转，未能检查")
    if resp.status_code != 200:
        return CheckResult("unknown", f"网盘返回 HTTP {resp.status_code}，未能检查")
    return read_page(resp.text)


def _verify(fetch: Fetcher, base: str, link: ShareLink) -> CheckResult:
    """The share exists; see whether its code opens it, and read the page it opens."""
    if not link.code:
        return CheckResult("alive", "分享存在，但未附提取码，无法确认内容")
    if not link.url.startswith("https://pan.baidu.com/s/1"):
        return CheckResult("alive", "分享存在（此类链接不核对提取码）")
    surl = link.share_id
    resp = fetch.post(
        f"{base}/share/verify",
        params={"surl": surl, "t": str(int(time.time() * 1000)), "channel": "chunlei", "web": "1",
                "clienttype": "0"},
        data={"pwd": link.code, "vcode": "", "vcode_str": ""},
        headers={"Referer": f"{base}/share/init?surl={surl}", "X-Requested-With": "XMLHttpRequest"},
    )
    try:
        errno = int(resp.json().get("errno"))
    except (ValueError, TypeError, AttributeError):
        return CheckResult("unknown", f"网盘返回了无法识别的答复（HTTP {resp.status_code}），未能检查")
    if errno == 0:
        page = fetch.get(base + _share_path(link))  # the verify cookie (BDCLND) opens the page
        return read_page(page.text) if page.status_code == 200 else CheckResult("alive", "分享有效")
    if errno == CAPTCHA_ERRNO:
        return CheckResult("unknown", "网盘要求输入验证码（访问过于频繁），未能检查", throttled=True)
    if errno in VERIFY_ERRNO:
        return CheckResult(*VERIFY_ERRNO[errno])
    return CheckResult("unknown", f"网盘返回错误码 {errno}，未能检查")
