"""Find netdisk share links and their share codes in what people paste.

People paste Baidu's share text (`链接：… 提取码：a1b2 --来自百度网盘超级会员V5的分享`),
`?pwd=` links, full-width characters, links broken over two lines, and several
links with several codes in one message. This module finds every share URL of
a known provider (parsers/netdisk.py), reads every labelled share code, and
gives each link at most one code and each code at most one link.

Codes and their pairing with links are parsers/link_codes.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import Iterable
from urllib.parse import urlsplit

from parsers.facts import ShareLink
from parsers.link_codes import Code, Hit, find_codes, mask_spans, pair_codes
from parsers.netdisk import TRUNCATED, Provider, ShareUrl, host_pattern, provider_for_host
from parsers.html_text import html_text

URL_CHARS = r"A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%"
URL_RE = re.compile(
    rf"(?<![A-Za-z0-9.\-@])(?:https?://)?(?P<host>(?:[a-z0-9-]+\.)*(?:{host_pattern()}))(?![A-Za-z0-9\-])"
    rf"(?::\d+)?(?P<rest>[/?#][{URL_CHARS}]*)?",
    re.IGNORECASE,
)
TRAILING = ".,;:!?'*[]"
# A continuation fragment of a link broken over lines (or split by OCR spaces).
CONTINUATION = re.compile(rf"[ \t]*(?:\r?\n[ \t>]*)?(?P<frag>[{URL_CHARS}]+)")

WRAPPED_LINE = re.compile(r"[ \t]*\r?\n[ \t>]*[A-Za-z0-9_\-]{4,}[ \t]*(?:\r?\n|$)")



# Full-width punctuation (，；：？！（） …): typed with a Chinese input method, it ends a URL typed in ASCII.
_FULL_WIDTH_PUNCT = re.compile(r"(?<=[\x21-\x7e])[\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")


def normalize(text: str) -> str:
    """Full-width letters, digits and colons to ASCII; NBSP to space (NFKC).

    A full-width punctuation mark right after an ASCII character is where a
    link typed in ASCII ends (`…/s/1AbC，提取码`, `…/s/1AbC？pwd＝ab12` is a
    link and a `pwd=` code): a space keeps it apart once NFKC made it ASCII.
    A link typed wholly in full-width characters stays one link.
    """
    text = _FULL_WIDTH_PUNCT.sub(lambda m: m.group(0) + " ", text or "")
    return unicodedata.normalize("NFKC", text)


# --------------------------------------------------------------------------- URLs


def _read_url(candidate: str) -> tuple[Provider, ShareUrl] | None:
    """The provider and reading of one candidate URL, or None when it is no share URL."""
    m = URL_RE.fullmatch(candidate)
    if not m or not m.group("rest"):
        return None  # a bare host name in prose is no link
    split = urlsplit("https://" + m.group("host") + m.group("rest"))
    provider = provider_for_host(split.hostname or "")
    if provider is None or not provider.claims(split):
        return None
    return provider, provider.parse(split)


def _strip(url: str) -> tuple[str, bool]:
    """Drop trailing punctuation; report whether an ellipsis was cut off."""
    stripped = url.rstrip(TRAILING)
    return stripped, "..." in url[len(stripped):]


def _reading(text: str, start: int, end: int):
    """Read text[start:end] as a link, joining continuation fragments when that repairs it.

    Returns (provider, reading, end) or None.
    """
    raw, ellipsis = _strip(text[start:end])
    found = _read_url(raw)
    if found is None:
        more = CONTINUATION.match(text, start + len(raw))
        if more and more.group("frag").startswith("/"):  # broken right after the host name
            return _join(text, start, start + len(raw))
        return None
    provider, reading = found
    end = start + len(raw)
    wrapped_old_id = provider.key == "baidu" and _whole_line_follows(text, end)
    if reading.problem or raw.endswith("=") or wrapped_old_id:
        joined = _join(text, start, end)
        if joined:
            return joined
    if reading.problem:
        fixed = _read_url(raw.rstrip("-_"))  # `…/s/1…--来自百度网盘` glued on
        if fixed and fixed[1].problem is None:
            return fixed[0], fixed[1], start + len(raw.rstrip("-_"))
        if ellipsis:
            reading = replace(reading, problem=TRUNCATED)
    return provider, reading, end


def _join(text: str, start: int, end: int):
    """Try up to two continuation fragments; accept the first join that reads well-formed."""
    prefix = text[start:end]
    for _ in range(2):
        m = CONTINUATION.match(text, end)
        if not m:
            return None
        raw, _ = _strip(prefix + m.group("frag"))
        found = _read_url(raw) if len(raw) > len(prefix) else None
        if found is None:
            return None
        end = m.start("frag") + len(raw) - len(prefix)
        prefix = raw
        if found[1].problem is None:
            return found[0], found[1], end
    return None


def _whole_line_follows(text: str, end: int) -> bool:
    """The link ends its line and the next line is one bare fragment (a wrapped id)."""
    return WRAPPED_LINE.match(text, end) is not None


def _find_urls(text: str) -> list[tuple[Provider, ShareUrl, tuple[int, int]]]:
    found, pos = [], 0
    while (m := URL_RE.search(text, pos)) is not None:
        read = _reading(text, m.start(), m.end())
        if read is None:
            pos = m.end()
            continue
        provider, reading, end = read
        found.append((provider, reading, (m.start(), end)))
        pos = max(end, m.start() + 1)
    return found


# --------------------------------------------------------------------------- public


def scan_text(text: str, found_in: str = "body") -> list[Hit]:
    """Every link occurrence in `text`, each with the code it was paired with.

    Spans refer to the NFKC-normalised text. Codes carried in a URL keep the
    span of the URL's `pwd=` value.
    """
    text = normalize(text)
    hits = []
    for provider, reading, span in _find_urls(text):
        link = ShareLink(
            provider=provider.key,
            url=reading.url,
            code=reading.code,
            share_id=reading.share_id,
            found_in=found_in,
            well_formed=reading.problem is None,
            problem=reading.problem,
            needs_code=provider.needs_code if reading.needs_code is None else reading.needs_code,
            expires=provider.expires,
        )
        hits.append(Hit(link, span, _url_code_span(text, span, reading.code)))
    for index, hit in enumerate(hits):
        _mark_stated_expiry(hit, text, hits[index + 1].span[0] if index + 1 < len(hits) else len(text))
    codes = find_codes(mask_spans(text, (h.span for h in hits)))
    pair_codes(text, hits, codes)
    return hits


# What a sender writes (or Baidu's share text says) when a share is not permanent.
_STATED_EXPIRY = re.compile(r"有效期\s*[:：为]?\s*(\d+\s*(?:天|日|小时))|(\d+\s*(?:天|日|小时))\s*(?:内)?\s*有效|"
                            r"(\d+\s*(?:天|日))\s*后\s*(?:失效|过期)")
STATED_EXPIRY_REACH = 120  # characters after a link in which its stated validity is read


def _mark_stated_expiry(hit: Hit, text: str, until: int) -> None:
    """A link the mail itself says expires ("有效期7天", "7天内有效"), up to the next link."""
    found = _STATED_EXPIRY.search(text, hit.span[1], min(until, hit.span[1] + STATED_EXPIRY_REACH))
    if found and not re.search(r"永久", found.group(0)):
        hit.link.expires = True
        hit.link.check_detail = hit.link.check_detail or f"邮件中写明“{found.group(0)}”"


def _url_code_span(text: str, span: tuple[int, int], code: str | None) -> tuple[int, int] | None:
    if code is None:
        return None
    at = text.find("=" + code, span[0], span[1])
    return (at + 1, at + 1 + len(code)) if at >= 0 else None


def find_links(text: str, found_in: str = "body") -> list[ShareLink]:
    """Share links in plain text (mail body, Word text, spreadsheet cells, OCR text)."""
    return merge_links(hit.link for hit in scan_text(text, found_in))


def find_links_in_document(text: str, hyperlinks: Iterable[str], found_in: str) -> list[ShareLink]:
    """Links in a document's text plus its hyperlink targets (.docx relationships, cell links)."""
    return _read_carrier(text, hyperlinks, found_in)[0]


Carrier = tuple[str, Iterable[str], str]  # text, hyperlink targets, where (正文, a file name)


def links_in_mail(bodies: Iterable[Carrier], documents: Iterable[Carrier]) -> list[ShareLink]:
    """Every share link of a mail: each carrier read by the same finder and pairing, then merged.

    A code that no link of its own carrier took goes, in order, to a link
    that still lacks one: `提取码` in the body for the link in a Word file, or
    in a 网盘链接.txt for the link in the body. The bodies' codes come first;
    the plain and HTML bodies are two copies of one text, so only the first
    with spare codes counts.
    """
    found: list[ShareLink] = []
    body_codes: list[str] = []
    document_codes: list[str] = []
    for text, hyperlinks, found_in in bodies:
        links, spare = _read_carrier(text, hyperlinks, found_in)
        found += links
        body_codes = body_codes or spare
    for text, hyperlinks, found_in in documents:
        links, spare = _read_carrier(text, hyperlinks, found_in)
        found += links
        document_codes += spare
    links = merge_links(found)
    give_spare_codes(links, body_codes + document_codes)
    return links


def _read_carrier(text: str, hyperlinks: Iterable[str], found_in: str) -> tuple[list[ShareLink], list[str]]:
    """The links of one carrier, and the codes none of them took.

    A hyperlink's target is often hidden behind words like `点击下载`, so its
    code sits in the text without the URL: codes the text's links did not take
    are handed, in order, to hyperlinks that have none.
    """
    text = normalize(text)
    hits = scan_text(text, found_in)
    spare = _spare(text, hits)
    known = {_key(h.link) for h in hits}
    extra = []
    for target in hyperlinks:
        for link in find_links(target, found_in):
            if _key(link) not in known and link.code is None and link.well_formed and spare:
                link.code = spare.pop(0).value
            extra.append(link)
    return merge_links([*(h.link for h in hits), *extra]), [c.value for c in spare]


def _spare(text: str, hits: list[Hit]) -> list[Code]:
    used = {h.code_span for h in hits if h.code_span}
    return [c for c in find_codes(mask_spans(text, (h.span for h in hits))) if c.span not in used]


def give_spare_codes(links: list[ShareLink], codes: list[str]) -> None:
    """Hand codes written apart from their link (body) to well-formed links that still lack one, in order."""
    waiting = [link for link in links if link.code is None and link.well_formed and link.needs_code]
    for link, code in zip(waiting, codes):
        link.code = code


def find_links_in_html(html: str, found_in: str = "html") -> list[ShareLink]:
    """Share links in an HTML body: visible text and hrefs, paired with codes in the text."""
    return find_links(html_text(html), found_in)


def _key(link: ShareLink) -> tuple[str, str]:
    return link.provider, link.share_id or link.url


def merge_links(links: Iterable[ShareLink]) -> list[ShareLink]:
    """One entry per share: the first occurrence, completed with a code found anywhere."""
    merged: dict[tuple[str, str], ShareLink] = {}
    for link in links:
        first = merged.get(_key(link))
        if first is None:
            merged[_key(link)] = replace(link)
        elif first.code is None and link.code:
            first.code = link.code
    whole = [link.url for link in merged.values() if link.well_formed]
    return [link for link in merged.values() if link.well_formed or not _copy_of_whole(link.url, whole)]


def _copy_of_whole(url: str, whole: list[str]) -> bool:
    """A malformed link that is a whole link found elsewhere in the mail, cut short or with text glued on.

    A mail client's plain-text copy of an HTML table glues the next cell to
    the URL, a chat window cuts it with `...`: the unit gave the whole link too.
    """
    cut = url.rstrip(".…")
    return any(url.startswith(good) or (len(cut) > len("https://") and good.startswith(cut)) for good in whole)
