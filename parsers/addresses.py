"""Mailboxes from raw headers: addresses are parsed before anything is decoded.

The collection address is public and a unit's allowlist trusts its sender
address, so the address must be the one the header really carries. RFC 2047
encoded words are for display names only: `=?utf-8?q?unit=40163=2Ecom?=
<x@evil.com>` is x@evil.com writing under the name "unit@163.com". So every
address header is split into mailboxes on its raw text, and only then are
the display names decoded (GBK, UTF-8, raw 8-bit, as the rest of the mail).
"""

from __future__ import annotations

import email.charset
import email.header
import email.utils
import re
from email.message import Message

from parsers.text import decode_header_value

_ADDRESS = re.compile(r"[\w.+\-=']+@[\w\-]+(?:\.[\w\-]+)+")
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bq]\?[^?\s]*\?=", re.IGNORECASE)
MAX_ADDRESS_HEADER = 2000  # characters of an address header that are parsed (a real one has a few mailboxes)
_FOLD = re.compile(r"\r?\n[ \t]")
# Headers that carry mailboxes: their addresses are read from the raw text, never from decoded words.
ADDRESS_HEADERS = frozenset({"from", "sender", "reply-to", "return-path", "disposition-notification-to",
                             "to", "cc", "bcc", "resent-from", "resent-sender", "errors-to"})


def decoded_headers(root: Message) -> dict[str, str]:
    """Every header decoded for reading, the first of a name winning; address headers as safe mailbox lists."""
    headers = {k.lower(): decode_header_value(v) for k, v in reversed(root.items())}
    for key, raw in reversed(list(root.raw_items())):
        if key.lower() in ADDRESS_HEADERS:
            headers[key.lower()] = _mailbox_text(raw)
    return headers


def mailboxes(raw: object) -> list[tuple[str, str]]:
    """(display name, lower-case address) of every mailbox in one raw, undecoded header value.

    The addresses are parsed before anything is decoded: an encoded word is
    only ever a display name, so `=?utf-8?q?unit=40163=2Ecom?= <x@evil.com>`
    is x@evil.com writing under the name "unit@163.com", never unit@163.com.
    A token that still holds an encoded word is not an address.
    """
    text = _FOLD.sub(" ", str(raw or ""))[:MAX_ADDRESS_HEADER]
    found = []
    for name, addr in _parsed(text):
        addr = addr.strip()
        if "@" in addr and not _ENCODED_WORD.search(addr):
            found.append((_decoded(name).strip().strip('"'), _decoded(addr).lower()))
    if not found and (bare := _ADDRESS.search(_ENCODED_WORD.sub(" ", text))):
        found.append(("", bare.group(0).lower()))
    return found


def _decoded(raw: str) -> str:
    """A piece of a raw header decoded as the whole header would be (8-bit bytes as compat32 wraps them)."""
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        return decode_header_value(email.header.Header(raw, charset=email.charset.UNKNOWN8BIT))
    return decode_header_value(raw)


def _parsed(text: str) -> list[tuple[str, str]]:
    """(raw display name, raw address) pairs, an angle address always being the mailbox's address.

    The stdlib reads `unit@163.com <x@evil.com>` as two mailboxes, the first
    being unit@163.com; every mail client shows it as x@evil.com under the
    name "unit@163.com", and so it is: within each comma-separated part, the
    last `<…>` is the address and what stands before it the name.
    """
    parts = _top_level_parts(text)
    if not any(angle for _, angle in parts):
        return _getaddresses(text)
    found = []
    for part, angle in parts:
        if angle is None:
            found += _getaddresses(part)
        else:
            name, _, _ = part.rpartition("<")
            found.append((name.strip(), angle.strip()))
    return found


def _top_level_parts(text: str) -> list[tuple[str, str | None]]:
    """The header split at commas outside quotes, comments and angle brackets, each with its last `<…>`."""
    parts, current, angle = [], [], None
    quoted = escaped = False
    depth = 0  # of (comments)
    opened = None  # index in `current` of an open "<"
    for ch in text:
        current.append(ch)
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif quoted:
            quoted = ch != '"'
        elif ch == '"':
            quoted = True
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth:
            continue
        elif ch == "<":
            opened = len(current)
        elif ch == ">" and opened is not None:
            angle, opened = "".join(current[opened:-1]), None
        elif ch in ",;" and opened is None:
            parts.append(("".join(current[:-1]), angle))
            current, angle = [], None
    parts.append(("".join(current), angle))
    return [(part, angle) for part, angle in parts if part.strip()]


def _getaddresses(text: str) -> list[tuple[str, str]]:
    """The stdlib's address list parser, which recurses once per group (`:`); a hostile header gets none."""
    try:
        return email.utils.getaddresses([text])
    except (RecursionError, ValueError, IndexError):
        return []


def author(message: Message) -> tuple[str, str]:
    """(display name, address) of who wrote: From's one mailbox.

    RFC 5322 lets a mail name several authors in From, with Sender saying
    which one sent it; without a Sender among them nobody is known to have
    written, and nobody is answered (`unit@163.com, x@evil.com` must not make
    us write to, or file as, the first).
    """
    found = next((mailboxes(raw) for key, raw in message.raw_items() if key.lower() == "from"), [])
    if len(found) == 1:
        return found[0]
    sender = first_mailbox(message, "sender")[1]
    return next((box for box in found if sender and box[1] == sender), ("", ""))


def first_mailbox(message: Message, name: str) -> tuple[str, str]:
    """(display name, address) of the first mailbox in a header's raw value; empty when it has none."""
    for key, raw in message.raw_items():
        if key.lower() == name:
            found = mailboxes(raw)
            return found[0] if found else ("", "")
    return "", ""


def _mailbox_text(raw: str) -> str:
    """An address header as the rules may read it: `name <address>` pairs, else the raw value undecoded."""
    found = mailboxes(raw)
    if not found:
        return _FOLD.sub(" ", raw).strip()
    return ", ".join(f'"{_quotable(name)}" <{addr}>' if name else f"<{addr}>" for name, addr in found)


def _quotable(name: str) -> str:
    return name.replace("\\", "").replace('"', "")
