"""What each netdisk's share links look like: URL shape, share code, expiry.

One table entry per provider keeps the knowledge that changes when a provider
changes its links in one place: the host names, how to read the share id out
of a URL (and so tell a complete link from a truncated one), the format of
its share code, whether a share cannot be opened without one, and whether the
provider's links expire by design (mail "super-large attachments").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import SplitResult, parse_qs, urlencode

TRUNCATED = "不完整（链接被省略号截断）"
WRONG_LENGTH = "不完整（链接编号位数不对）"
TOO_LONG = "链接编号位数不对（可能混入了其他字符）"
NO_ID = "不完整（缺少链接编号）"
BAD_CHARS = "链接编号中含有不应出现的字符"
PERSONAL_PAGE = "不是分享链接（这是网盘个人页面的地址，别人打不开）"
NOT_SHARE = "不是有效的分享链接"
NO_FILE_PARAM = "不完整（缺少文件参数）"


@dataclass(frozen=True)
class ShareUrl:
    """A URL read against its provider's rules."""

    url: str  # canonical share URL, without the share code
    share_id: str | None
    code: str | None  # share code carried in the URL (?pwd=...)
    problem: str | None  # why it cannot be a share URL; None when well formed
    needs_code: bool | None = None  # overrides the provider default (old public shares)


@dataclass(frozen=True)
class Provider:
    key: str
    name: str  # in the campaign's words
    domains: str  # regex of the registrable host names (subdomains allowed)
    parse: Callable[[SplitResult], ShareUrl]
    code_format: re.Pattern | None  # None: the provider has no share codes
    needs_code: bool  # a share cannot be opened without its code
    expires: bool = False  # links expire by design
    claims: Callable[[SplitResult], bool] = lambda u: True  # which URLs of the host are shares


def _param(query: str, names: tuple[str, ...]) -> str | None:
    """The first of `names` in the query, cut to its leading letters/digits."""
    values = parse_qs(query, keep_blank_values=True)
    for name in names:
        for value in values.get(name, []):
            m = re.match(r"[A-Za-z0-9]+", value)
            if m:
                return m.group(0)
    return None


def _base(u: SplitResult) -> str:
    return f"https://{u.hostname or ''}"


def _id_problem(raw: str, pattern: str, min_len: int) -> str:
    """Why `raw` is not a share id matching `pattern`, in the submitter's words."""
    if not raw:
        return NO_ID
    if "..." in raw or "…" in raw:
        return TRUNCATED
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", raw):
        return BAD_CHARS
    if len(raw) > min_len and re.match(pattern, raw):
        return TOO_LONG
    return WRONG_LENGTH


# --------------------------------------------------------------------------- Baidu

BAIDU_ID = r"1[A-Za-z0-9_\-]{22}|1[A-Za-z0-9_\-]{7}"


def _baidu_surl(kind: str, sid: str, code: str | None) -> ShareUrl:
    if re.fullmatch(BAIDU_ID, sid):
        share_id = sid[1:] if kind == "s" else f"e/{sid}"
        return ShareUrl(f"https://pan.baidu.com/{kind}/{sid}", share_id, code, None)
    problem = _id_problem(sid, r"(?:" + BAIDU_ID + ")", 23)
    if sid and not sid.startswith("1") and problem == WRONG_LENGTH:
        problem = "链接编号不对（百度网盘链接编号应以数字1开头）"
    return ShareUrl(f"https://pan.baidu.com/{kind}/{sid}", None, code, problem)


def parse_baidu(u: SplitResult) -> ShareUrl:
    """`/s/1…`, `/e/1…` (enterprise), `/share/init?surl=…`, old `/share/link?shareid=&uk=`."""
    path = u.path.rstrip("/")
    code = _param(u.query, ("pwd",))
    m = re.fullmatch(r"/(s|e)/([^/]*)", path)
    if m:
        return _baidu_surl(m.group(1), m.group(2), code)
    if path == "/share/init":
        surl = (parse_qs(u.query).get("surl") or [""])[0]
        return _baidu_surl("s", "1" + surl if surl else "", code)
    if path == "/share/link":
        q = parse_qs(u.query)
        shareid, uk = (q.get("shareid") or [""])[0], (q.get("uk") or [""])[0]
        url = "https://pan.baidu.com/share/link?" + urlencode({"shareid": shareid, "uk": uk})
        if shareid.isdigit() and uk.isdigit():
            return ShareUrl(url, shareid, code, None, needs_code=False)
        return ShareUrl(url, None, code, "不完整（缺少 shareid 或 uk 参数）")
    url = f"https://pan.baidu.com{u.path}" + (f"?{u.query}" if u.query else "")
    if re.match(r"/(disk|pcloud|mbox|play|youth)\b", path):
        return ShareUrl(url, None, code, PERSONAL_PAGE)
    return ShareUrl(url, None, code, NOT_SHARE)


# --------------------------------------------------------------------------- path-shaped ids


def path_share(prefixes: tuple[str, ...], id_shape: str, min_len: int, suffix: str = "",
               code_params: tuple[str, ...] = ("pwd",), personal: str | None = None
               ) -> Callable[[SplitResult], ShareUrl]:
    """A parser for providers whose share id sits in the path, e.g. `/s/<id>`.

    The first of `prefixes` the path starts with is cut off; what remains must
    be the id (`id_shape`) and an optional `suffix`. A remainder that is only
    too short or too long is reported as a truncated link.
    """

    def parse(u: SplitResult) -> ShareUrl:
        path = u.path.rstrip("/")
        code = _param(u.query, code_params)
        url = f"{_base(u)}{u.path}" + (f"?{u.query}" if u.query else "")
        if personal and re.match(personal, path):
            return ShareUrl(url, None, code, PERSONAL_PAGE)
        for prefix in prefixes:
            if path.startswith(prefix) or path + "/" == prefix:
                raw = path[len(prefix):]
                m = re.fullmatch(f"(?P<id>{id_shape}){suffix}", raw)
                if m:
                    return ShareUrl(f"{_base(u)}{path}", m.group("id"), code, None)
                return ShareUrl(url, None, code, _id_problem(raw, id_shape, min_len))
        return ShareUrl(url, None, code, NOT_SHARE)

    return parse


def parse_tianyi(u: SplitResult) -> ShareUrl:
    """天翼云盘: `/t/<12>`, `/web/share?code=<12>` (code = share id!), h5 `#/t/<12>`."""
    code = _param(u.query, ("accessCode", "pwd"))
    sid = None
    m = re.fullmatch(r"/t/([^/]*)", u.path.rstrip("/")) or re.search(r"/t/([^/?]*)", u.fragment)
    if m:
        sid = m.group(1)
    elif u.path.startswith("/web/share"):
        sid = (parse_qs(u.query).get("code") or [""])[0]
    if sid is not None and re.fullmatch(r"[A-Za-z0-9]{12}", sid):
        return ShareUrl(f"https://cloud.189.cn/t/{sid}", sid, code, None)
    url = f"{_base(u)}{u.path}" + (f"?{u.query}" if u.query else "")
    if sid is None:
        return ShareUrl(url, None, code, PERSONAL_PAGE if "/web/main" in u.path else NOT_SHARE)
    return ShareUrl(url, None, code, _id_problem(sid, r"[A-Za-z0-9]{12}", 12))


def query_share(*params: str) -> Callable[[SplitResult], ShareUrl]:
    """Mail super-attachments: the whole URL is the link; a file parameter must be there."""

    def parse(u: SplitResult) -> ShareUrl:
        url = f"{_base(u)}{u.path}" + (f"?{u.query}" if u.query else "")
        q = parse_qs(u.query)
        key = next((q[p][0] for p in params if q.get(p) and q[p][0]), None)
        if key and "..." not in u.query:
            return ShareUrl(url, key, None, None)
        return ShareUrl(url, None, None, TRUNCATED if "..." in u.query else NO_FILE_PARAM)

    return parse


CODE4 = re.compile(r"[A-Za-z0-9]{4}")

PROVIDERS: dict[str, Provider] = {
    p.key: p
    for p in (
        Provider("baidu", "百度网盘", r"(?:pan|yun)\.baidu\.com", parse_baidu, CODE4, needs_code=True),
        Provider(
            "aliyun", "阿里云盘", r"aliyundrive\.com|alipan\.com",
            path_share(("/s/", "/t/"), r"[A-Za-z0-9]{11}", 11, suffix=r"(?:/folder/[A-Za-z0-9]+)?",
                       personal=r"/drive"),
            CODE4, needs_code=False,
        ),
        Provider(
            "quark", "夸克网盘", r"pan\.quark\.cn",
            path_share(("/s/",), r"[0-9a-f]{12}", 12, personal=r"/list"),
            CODE4, needs_code=False,
        ),
        Provider("tianyi", "天翼云盘", r"cloud\.189\.cn", parse_tianyi, CODE4, needs_code=False),
        Provider(
            "weiyun", "腾讯微云", r"share\.weiyun\.com",
            path_share(("/",), r"[A-Za-z0-9]{6,12}", 12),
            re.compile(r"[A-Za-z0-9]{4,12}"), needs_code=False,
        ),
        Provider(
            "pan123", "123云盘", r"123pan\.com|123pan\.cn|123684\.com|123865\.com|123912\.com",
            path_share(("/s/",), r"[A-Za-z0-9_\-]{6,40}", 40, suffix=r"(?:\.html)?"),
            CODE4, needs_code=False,
        ),
        Provider(
            "lanzou", "蓝奏云", r"lanzou[a-z]?\.com|lanzn\.com|ilanzou\.com",
            path_share(("/tp/", "/"), r"[A-Za-z0-9_]{6,16}", 16),
            re.compile(r"[A-Za-z0-9]{2,12}"), needs_code=False,
        ),
        Provider(
            "p115", "115网盘", r"115\.com|115cdn\.com|anxia\.com",
            path_share(("/s/",), r"[a-z0-9]{8,14}", 14, code_params=("password",)),
            CODE4, needs_code=True,
        ),
        Provider(
            "qqmail", "QQ邮箱超大附件", r"(?:wx\.|iwx\.)?mail\.qq\.com|exmail\.qq\.com",
            query_share("k", "key"), None, needs_code=False, expires=True,
            claims=lambda u: "ftn" in u.path.lower(),
        ),
        Provider(
            "netease", "网易邮箱超大附件", r"mail\.163\.com|mail\.126\.com|mail\.yeah\.net|dashi\.163\.com",
            query_share("file", "p", "fid"), None, needs_code=False, expires=True,
            claims=lambda u: "attachment" in u.path.lower(),
        ),
    )
}


def provider_for_host(host: str) -> Provider | None:
    """The provider serving `host` (subdomains included), or None."""
    host = host.lower().rstrip(".")
    for provider in PROVIDERS.values():
        if re.fullmatch(rf"(?:[a-z0-9-]+\.)*(?:{provider.domains})", host):
            return provider
    return None


def provider_name(key: str) -> str:
    provider = PROVIDERS.get(key)
    return provider.name if provider else "网盘"


def code_fits(key: str, code: str | None) -> bool:
    """Whether `code` has the shape the provider's share codes have."""
    provider = PROVIDERS.get(key)
    if code is None or provider is None or provider.code_format is None:
        return code is not None
    return bool(provider.code_format.fullmatch(code))


def code_shape(key: str) -> str:
    """The share-code format in words, for messages."""
    provider = PROVIDERS.get(key)
    if provider and provider.code_format is CODE4:
        return "4位字母或数字"
    return "字母或数字"


def host_pattern() -> str:
    """One regex alternation of every provider's host names, for finding URLs in text."""
    return "|".join(f"(?:{p.domains})" for p in PROVIDERS.values())
