"""Raw message bytes to a `MailMessage`: headers, bodies and every attached file.

mail-parser gives us a tolerant parse of the MIME tree and the date; we walk
that tree ourselves because its text fallback is UTF-8 (wrong for GBK
mail) and its attachments come back still base64-encoded. Forwarded
messages, attached .eml files and .zip archives are opened so that the
files they carry are judged like any other attachment.
"""

from __future__ import annotations

import email.message
import email.utils
import hashlib
import logging
import mimetypes
import re
from datetime import datetime, timezone
from email.message import Message

import mailparser

from parsers import large_parts
from parsers.archive import unpack_zip
from parsers.facts import Attachment, MailMessage, UnreadableFile
from parsers.text import decode_bytes, decode_header_value

logging.getLogger("mailparser").setLevel(logging.CRITICAL)

MAX_DEPTH = 5
_ZONE_NAME_CST = re.compile(r"\(?\bCST\b\)?", re.IGNORECASE)
_NUMERIC_ZONE = re.compile(r"[+-]\d{4}\b")
_MSGID = re.compile(r"<[^<>\s]+>")
_MINUS_ZERO = re.compile(r"-0000\b")
_ADDRESS = re.compile(r"[\w.+\-=']+@[\w\-]+(?:\.[\w\-]+)+")


def parse_message(raw: bytes) -> MailMessage:
    """Read everything we need from one raw message; never raises on bad input."""
    raw = _clean(raw)
    problems: list[str] = []
    parsed, spans = large_parts.set_aside(raw)
    root = _mime_tree(parsed, problems)
    large_parts.restore(root, raw, spans)
    headers = {k.lower(): decode_header_value(v) for k, v in reversed(root.items())}
    msg = MailMessage(
        message_id=_message_id(headers.get("message-id", ""), raw),
        subject=headers.get("subject", ""),
        headers=headers,
        date=header_date(root.get("Date")),
        received=_received_date(root),
        problems=problems,
    )
    msg.sender_name, msg.sender = _address(headers.get("from", ""))
    msg.reply_to = _address(headers.get("reply-to", ""))[1]
    texts: list[str] = []
    htmls: list[str] = []
    _walk(root, "attachment", texts, htmls, msg.attachments, problems, depth=0)
    msg.text = "\n".join(t for t in texts if t.strip())
    msg.html = "\n".join(htmls)
    return msg


def _clean(raw: bytes) -> bytes:
    """Drop a UTF-8 BOM and blank lines that some exporters put before the headers."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.lstrip(b"\r\n")


def _mime_tree(raw: bytes, problems: list[str]) -> Message:
    try:
        parsed = mailparser.parse_from_bytes(raw)
        root = parsed.message
        problems.extend(str(d) for d in parsed.defects_categories)
    except Exception as exc:  # mail-parser gives up on some broken headers
        problems.append(f"mail-parser failed: {exc}")
        root = email.message_from_bytes(raw)
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


def _address(value: str) -> tuple[str, str]:
    """(display name, lower-case address) of the first mailbox in a header."""
    pairs = email.utils.getaddresses([value]) if value else []
    for name, addr in pairs:
        if "@" in addr:
            return name.strip().strip('"'), addr.strip().lower()
    found = _ADDRESS.search(value or "")
    return ("", found.group(0).lower()) if found else ("", "")


def _walk(part: Message, origin: str, texts: list[str], htmls: list[str],
          out: list[Attachment], problems: list[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        problems.append("MIME nesting too deep; inner parts skipped")
        return
    ctype = part.get_content_type()
    if part.is_multipart():
        inner = "forwarded" if ctype == "message/rfc822" else origin
        for sub in part.get_payload() or []:
            if isinstance(sub, Message):
                _walk(sub, inner, texts, htmls, out, problems, depth + 1)
        return
    filename = part_filename(part)
    disposition = part.get_content_disposition()
    if filename is None and disposition != "attachment" and ctype in ("text/plain", "text/html", "text/enriched"):
        text = _part_text(part)
        (htmls if ctype == "text/html" else texts).append(text)
        return
    if _is_body_image(part, filename, htmls):
        return
    data = _payload(part)
    name = filename or _fallback_name(ctype, len(out) + 1)
    _add_file(Attachment(filename=name, content_type=ctype, data=data, origin=origin),
              texts, htmls, out, problems, depth)


def _add_file(att: Attachment, texts: list[str], htmls: list[str],
              out: list[Attachment], problems: list[str], depth: int) -> None:
    """Keep a file, opening the containers (.zip, attached .eml) it may be."""
    lower = att.filename.lower()
    if lower.endswith(".zip") or att.content_type in ("application/zip", "application/x-zip-compressed"):
        try:
            members = unpack_zip(att.data)
        except UnreadableFile as exc:
            att.problem = str(exc)
            out.append(att)
            return
        for m in members:
            guessed = mimetypes.guess_type(m.name)[0] or "application/octet-stream"
            inner = Attachment(m.name, guessed, m.data, origin=f"zip:{att.filename}")
            _add_file(inner, texts, htmls, out, problems, depth + 1)
        return
    if lower.endswith(".eml") and depth < MAX_DEPTH:
        inner = email.message_from_bytes(att.data)
        _walk(inner, "forwarded", texts, htmls, out, problems, depth + 1)
        return
    if lower == "winmail.dat":
        problems.append("TNEF winmail.dat attachment not opened")
    out.append(att)


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
    """Logos and pictures shown inside an HTML body are not submitted files."""
    cid = (part.get("Content-ID") or "").strip().strip("<>")
    if not cid or not part.get_content_type().startswith("image/"):
        return False
    if part.get_content_disposition() == "attachment":
        return False
    return filename is None or any(f"cid:{cid}" in h for h in htmls)


def _fallback_name(ctype: str, index: int) -> str:
    ext = mimetypes.guess_extension(ctype) or ".bin"
    return f"未命名附件{index}{ext}"
