"""Decoding bytes and header words that Chinese mail clients produce.

Chinese clients label text GB2312 while writing GBK or GB18030 characters,
leave 8-bit bytes in headers, and split one character across two encoded
words. Every decoder in `parsers/` goes through these helpers so the fallbacks
live in one place.
"""

from __future__ import annotations

import codecs
import email.header
import re

import charset_normalizer

# Labels that are subsets of GB18030: decoding with the superset never loses
# a character that the sender's client actually wrote.
_SUPERSET = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "us-ascii": "ascii",
    "ascii": "ascii",
}

_FALLBACKS = ("utf-8", "gb18030", "big5hkscs")


def codec_for(label: str | None) -> str | None:
    """The Python codec to use for a declared charset label, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip('"').lower()
    label = _SUPERSET.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> str:
    """Decode text bytes, trusting the declared charset only when it fits.

    A us-ascii or missing label over 8-bit bytes is a lie, so we detect
    instead; a label that fails strictly falls back to UTF-8, GB18030, Big5
    and finally to charset detection.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    codec = codec_for(declared)
    if codec is None or codec == "ascii":
        return data.decode("ascii") if _is_ascii(data) else _guess(data)
    for name in (codec, *_FALLBACKS):
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return _guess(data)


def _guess(data: bytes) -> str:
    """Undeclared 8-bit text: UTF-8 if it is valid, GBK if every character is a common one, else the likelier charset.

    Detection alone misreads short GBK text (`密码：ab12`, `您好`) as Big5;
    Big5 text is rarely made only of GB2312's common characters.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    common = _common_gb(data)
    if common is not None:
        return common
    best = charset_normalizer.from_bytes(data, cp_isolation=["gb18030", "big5", "utf_8"]).best()
    if best is not None:
        return str(best)
    return data.decode("gb18030", errors="replace")


def _common_gb(data: bytes) -> str | None:
    """The text, when the bytes are GBK made only of GB2312's characters (the common 6,763 hanzi)."""
    try:
        text = data.decode("gb18030")
        text.encode("gb2312")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None
    return text


def _is_ascii(data: bytes) -> bool:
    try:
        data.decode("ascii")
        return True
    except UnicodeDecodeError:
        return False


def surrogate_bytes(text: str) -> bytes | None:
    """The raw bytes behind a header str that the stdlib read with surrogateescape."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return None
    return text.encode("ascii", errors="surrogateescape")


_QUOTED_ENCODED_WORD = re.compile(r'"(=\?[^"]*\?=)"')


def decode_header_value(value: object) -> str:
    """Decode a header value: encoded words (any charset), raw 8-bit bytes, or plain text.

    Adjacent encoded words in the same charset are joined *as bytes* before
    decoding, because some clients cut a multi-byte character in two.
    """
    if value is None:
        return ""
    if isinstance(value, email.header.Header):  # compat32 wraps 8-bit headers as unknown-8bit
        return _unfold(_join_chunks(email.header.decode_header(value)))
    text = str(value)
    raw = surrogate_bytes(text)
    if raw is not None:
        text = decode_bytes(raw)
    text = _QUOTED_ENCODED_WORD.sub(r"\1", text)
    if "=?" not in text:
        return _unfold(text)
    try:
        chunks = email.header.decode_header(_unfold(text))
    except Exception:
        return _unfold(text)
    return _unfold(_join_chunks(chunks))


def _join_chunks(chunks: list[tuple[bytes | str, str | None]]) -> str:
    out: list[str] = []
    pending = b""
    pending_charset: str | None = None
    for part, charset in chunks:
        if charset == "unknown-8bit":
            charset = None
        if isinstance(part, str):
            part = part.encode("utf-8", errors="surrogateescape")
            charset = charset or "utf-8"
        if charset != pending_charset and pending:
            out.append(decode_bytes(pending, pending_charset))
            pending = b""
        pending += part
        pending_charset = charset
    if pending:
        out.append(decode_bytes(pending, pending_charset))
    return "".join(out)


_LINE_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _unfold(text: str) -> str:
    """One line: folding undone, and line breaks or control characters hidden in encoded words removed.

    A header value never holds a line break once unfolded; one smuggled in
    an encoded word (`=?utf-8?b?...Cg==?=`) would otherwise end up in the
    headers of our reply.
    """
    return _CONTROLS.sub("", _LINE_BREAKS.sub(" ", text)).strip()



# --------------------------------------------------------------------------- text files

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text_file(data: bytes) -> str:
    """A .txt or .csv file as Windows Notepad, WPS or Excel saved it, with `\\n` line ends.

    A BOM decides (UTF-8, UTF-16 as Notepad's "Unicode", UTF-32); UTF-16
    without one shows as NUL bytes in every other position. Without a BOM,
    strict UTF-8 is tried first, then GB18030 (which GBK and GB2312 are part
    of: what Notepad writes as "ANSI" on a Chinese Windows), then detection.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _newlines(data.decode(codec, errors="replace"))
    if (order := _utf16_order(data)) is not None:
        return _newlines(data.decode(order, errors="replace"))
    for codec in ("utf-8", "gb18030"):
        try:
            return _newlines(data.decode(codec))
        except UnicodeDecodeError:
            continue
    return _newlines(_guess(data))


def _utf16_order(data: bytes) -> str | None:
    """UTF-16 without a BOM: the NUL high bytes of ASCII characters all sit on one side."""
    head = data[:2000]
    if len(head) < 8 or len(head) % 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if min(even, odd) or max(even, odd) <= len(head) // 8:
        return None
    return "utf-16-le" if odd else "utf-16-be"


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
