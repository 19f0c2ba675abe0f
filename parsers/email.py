"""Raw message bytes to a `MailMessage`: headers, bodies and every attached file.

The stdlib parser gives a tolerant parse of the MIME tree (it repairs broken
mail and notes each repair); `parsers/mime_parts.py` walks that tree once, decoding text
in the charset it declares or, failing that, the Chinese encodings (a UTF-8
fallback is wrong for GBK mail). mail-parser, once used here, parsed every
message a second time for nothing the walk does not already do. Forwarded
messages, attached .eml/.msg files, winmail.dat and archives are opened
(parsers.containers) so that the files they carry are judged like any other
attachment — after the walk, so that an archive password written anywhere in
the message is known when the archive is opened.
"""

from __future__ import annotations

import email.message
import email.utils
import hashlib
import re
from datetime import datetime, timezone
from email.message import Message

from parsers import large_parts
from parsers.addresses import author, decoded_headers, first_mailbox
from parsers.archive_base import ArchiveLimits
from parsers.containers import expand_files
from parsers.facts import MailMessage
from parsers.html_text import html_text
from parsers.mime_depth import bound_depth
from parsers.mime_parts import MailParts, collect_parts
from parsers.passwords import find_passwords

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
