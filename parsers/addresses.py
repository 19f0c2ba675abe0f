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
    for name, addr in _getaddresses(text):
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


def _getaddresses(text: str) -> list[tuple[str, str]]:
    """The stdlib's address list parser, which recurses once per group (`:`); a hostile header gets none."""
    try:
        return email.utils.getaddresses([text])
    except (RecursionError, ValueError, IndexError):
        return []


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
