"""One message's MIME tree walked into its files and body texts, nothing opened yet.

`parsers/email.py` walks the outer message through `collect_parts`, and
`parsers/containers.py` walks a forwarded .eml through it too, so it sits
below both; the files it finds are opened (archives, .msg, winmail.dat,
nested mail) by `containers.expand_files`.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import mimetypes
import quopri
import re
from dataclasses import dataclass, field
from email.message import Message

from parsers import large_parts, pictures
from parsers.facts import Attachment
from parsers.mime_depth import MAX_DEPTH, TOO_DEEP
from parsers.text import decode_bytes, decode_header_value


@dataclass
class MailParts:
    """What one message (outer or nested) contributes: body texts, HTML bodies, parse trouble."""

    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unnamed: int = 0  # files that came without a name so far, to number them
    pictures: int = 0  # pictures pasted into the body kept as files so far, to number them


def collect_parts(part: Message, origin: str, parts: MailParts, depth: int = 0) -> list[Attachment]:
    """Every file of a MIME tree, unopened, in order; body texts and HTML go into `parts`."""
    ctype = part.get_content_type()
    if ctype == TOO_DEEP or (depth >= MAX_DEPTH and part.is_multipart()):
        return _too_deep(part, origin, parts)
    if ctype == "message/rfc822" and (encoded := _encoded_message(part)):
        return [Attachment(part_filename(part) or "转发邮件.eml", ctype, encoded, origin)]
    if part.is_multipart():
        inner = "forwarded" if ctype == "message/rfc822" else origin
        return [f for sub in part.get_payload() or [] if isinstance(sub, Message)
                for f in collect_parts(sub, inner, parts, depth + 1)]
    filename = part_filename(part)
    disposition = part.get_content_disposition()
    if filename is None and disposition != "attachment" and ctype in ("text/plain", "text/html", "text/enriched"):
        (parts.htmls if ctype == "text/html" else parts.texts).append(_part_text(part))
        return []
    data = _payload(part)
    if _is_body_image(part, filename, parts.htmls):
        if not pictures.may_be_scan(data):  # a logo, an emoji, a signature banner
            return []
        parts.pictures += 1
        name = filename or pictures.body_picture_name(ctype, parts.pictures)
        return [Attachment(filename=name, content_type=ctype, data=data, origin=pictures.ORIGIN)]
    if filename is None:
        parts.unnamed += 1
    name = filename or _fallback_name(ctype, parts.unnamed)
    return [Attachment(filename=name, content_type=ctype, data=data, origin=origin)]


def _too_deep(part: Message, origin: str, parts: MailParts) -> list[Attachment]:
    """A part nested past MAX_DEPTH levels: the unit is told of it by its name; a nameless one is a note for us."""
    name = part_filename(part)
    if name is None:
        parts.problems.append(f"MIME parts nested deeper than {MAX_DEPTH} levels were not read")
        return []
    problem = f"该附件在邮件中嵌套超过 {MAX_DEPTH} 层，系统无法读取。请把文件直接添加为邮件附件后重新发送。"
    return [Attachment(name, "application/octet-stream", b"", origin, problem=problem)]


def _encoded_message(part: Message) -> bytes | None:
    """The bytes of an attached mail that a client base64-encoded (RFC 2046 forbids it; Foxmail and 163 do it)."""
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte not in ("base64", "quoted-printable"):
        return None
    payload = part.get_payload()
    text = "".join(p.as_string() if isinstance(p, Message) else str(p) for p in (payload or []))
    try:
        data = base64.b64decode(text, validate=False) if cte == "base64" else quopri.decodestring(text.encode())
    except (ValueError, binascii.Error):
        return None
    return data or None


def part_filename(part: Message) -> str | None:
    """The attachment's file name, decoded whatever the client did to it.

    Handles RFC 2231 (`filename*=gbk''...`), encoded words inside quotes
    (Outlook/Foxmail), raw 8-bit GBK bytes, and `name=` on Content-Type.
    """
    value = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if value is None:
        return None
    if isinstance(value, str) and "\ufffd" in value:  # raw 8-bit name, mangled by compat32
        value = _raw_param(part) or value
    if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded text)
        charset, _, text = value
        raw = text.encode("latin-1", errors="surrogateescape") if isinstance(text, str) else text
        name = decode_bytes(raw, charset or None)
    else:
        name = decode_header_value(email.utils.unquote(value))
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip('"')
    return name or None


_RAW_NAME = re.compile(r'(?:file)?name\s*=\s*"?([^";\r\n]+)', re.IGNORECASE)


def _raw_param(part: Message) -> str | None:
    """The file name straight from the raw header bytes, decoded as UTF-8 or GBK."""
    for key, raw in part.raw_items():
        if key.lower() in ("content-disposition", "content-type"):
            found = _RAW_NAME.search(str(raw))
            if found:
                return decode_header_value(found.group(1))
    return None


def _part_text(part: Message) -> str:
    data = _payload(part)
    return decode_bytes(data, part.get_content_charset()).replace("\r\n", "\n")


def _payload(part: Message) -> bytes:
    data = large_parts.part_data(part)
    if data is not None:
        return data
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("utf-8", errors="surrogateescape") if isinstance(payload, str) else b""
    return data


def _is_body_image(part: Message, filename: str | None, htmls: list[str]) -> bool:
    """A picture shown inside the HTML body: a pasted scan, or a logo or emoji (told apart by `pictures`)."""
    cid = (part.get("Content-ID") or "").strip().strip("<>")
    if not cid or not part.get_content_type().startswith("image/"):
        return False
    if part.get_content_disposition() == "attachment":
        return False
    return filename is None or any(f"cid:{cid}" in h for h in htmls)


def _fallback_name(ctype: str, index: int) -> str:
    ext = mimetypes.guess_extension(ctype) or ".bin"
    return f"未命名附件{index}{ext}"


def member_file(name: str, data: bytes, origin: str) -> Attachment:
    """A file taken out of a container, typed by its name until the classifier reads its content."""
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Attachment(name or "未命名附件", guessed, data, origin=origin)
