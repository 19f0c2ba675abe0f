"""Raw message bytes to a `MailMessage`: headers, bodies and every attached file.

The stdlib parser gives a tolerant parse of the MIME tree (it repairs broken
mail and notes each repair); we walk that tree once ourselves, decoding text
in the charset it declares or, failing that, the Chinese encodings (a UTF-8
fallback is wrong for GBK mail). mail-parser, once used here, parsed every
message a second time for nothing the walk does not already do. Forwarded
messages, attached .eml/.msg files, winmail.dat and archives are opened
(parsers.containers) so that the files they carry are judged like any other
attachment — after the walk, so that an archive password written anywhere in
the message is known when the archive is opened.
"""

from __future__ import annotations

import base64
import binascii
import email.message
import email.utils
import hashlib
import mimetypes
import quopri
import re
from datetime import datetime, timezone
from email.message import Message

from parsers import large_parts, pictures
from parsers.addresses import author, decoded_headers, first_mailbox
from parsers.archive_base import ArchiveLimits
from parsers.containers import MailParts, expand_files
from parsers.facts import Attachment, MailMessage
from parsers.html_text import html_text
from parsers.mime_depth import MAX_DEPTH, TOO_DEEP, bound_depth
from parsers.passwords import find_passwords
from parsers.text import decode_bytes, decode_header_value

_ZONE_NAME_CST = re.compile(r"\(?\bCST\b\)?", re.IGNORECASE)
_NUMERIC_ZONE = re.compile(r"[+-]\d{4}\b")
_MSGID = re.compile(r"<[^<>\s]+>")
_MINUS_ZERO = re.compile(r"-0000\b")


def parse_message(raw: bytes, limits: ArchiveLimits | None = None) -> MailMessage:
    """Read everything we need from one raw message; never raises on bad input.

    `limits` bound the unpacking of archives and nested mails ([archives] in the configuration).
    """
    raw = _clean(raw)
    problems: list[str] = []
    parsed, spans = large_parts.set_aside(raw)
    root = _mime_tree(bound_depth(parsed), problems)
    large_parts.restore(root, raw, spans)
    headers = decoded_headers(root)
    msg = MailMessage(
        message_id=_message_id(headers.get("message-id", ""), raw),
        subject=headers.get("subject", ""),
        headers=headers,
        date=header_date(root.get("Date")),
        received=_received_date(root),
        problems=problems,
    )
    msg.sender_name, msg.sender = author(root)
    msg.reply_to = first_mailbox(root, "reply-to")[1]
    parts = MailParts(problems=problems)
    files = collect_parts(root, "attachment", parts)
    passwords = find_passwords(msg.subject, *parts.texts, html_text("\n".join(parts.htmls)))
    msg.attachments = expand_files(files, parts, passwords, limits)
    msg.text = "\n".join(t for t in parts.texts if t.strip())
    msg.html = "\n".join(parts.htmls)
    return msg


def _clean(raw: bytes) -> bytes:
    """Drop a UTF-8 BOM and blank lines that some exporters put before the headers."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.lstrip(b"\r\n")


def _mime_tree(raw: bytes, problems: list[str]) -> Message:
    """The MIME tree, and the kinds of damage the parser repaired on the way (kept with the mail, for the record).

    The stdlib parser never gives up on broken mail: it repairs what it can
    and notes each repair as a defect on the part, which is all we keep.
    """
    root = email.message_from_bytes(raw)
    problems.extend(sorted({type(d).__name__ for part in root.walk() for d in part.defects}))
    return root


def header_date(value: object) -> datetime | None:
    """The moment a date header states; naive when it states no zone.

    A naive result means "wall time of an unknown zone" and is left for the
    campaign to interpret. RFC 5322's "-0000" is UTC; a bare "CST" — what
    some Chinese servers and clients write — is China Standard Time here,
    not the US Central time the stdlib would read, so it is left naive too.
    ISO dates ("2022-05-05 10:30:00"), written by some broken clients, are read.
    """
    text = str(value or "").strip()
    if not text:
        return None
    if _ZONE_NAME_CST.search(text) and not _NUMERIC_ZONE.search(text):
        text = _ZONE_NAME_CST.sub("", text).strip()
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    if parsed.tzinfo is None and _MINUS_ZERO.search(text):
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def _received_date(root: Message) -> datetime | None:
    """When the last server took the message: the stamp of the topmost Received header."""
    for received in root.get_all("Received") or []:
        stamp = str(received).rpartition(";")[2].strip()
        if stamp and (moment := header_date(stamp)):
            return moment
    return None


def thread_ids(message: MailMessage) -> list[str]:
    """The Message-IDs a message answers (In-Reply-To, then References), in order, once each."""
    text = f"{message.headers.get('in-reply-to', '')} {message.headers.get('references', '')}"
    return list(dict.fromkeys(_MSGID.findall(text)))


def _message_id(value: str, raw: bytes) -> str:
    found = re.search(r"<[^<>\s]+>", value)
    if found:
        return found.group(0)
    if value.strip():
        return "<" + value.strip().strip("<>") + ">"
    return f"<sha256-{hashlib.sha256(raw).hexdigest()[:32]}@intake.invalid>"


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
