"""Big encoded bodies are set aside before the MIME parser sees them, and decoded straight from the raw bytes.

Python's email parser splits a body into one string per line: a 50 MB
video attached to a mail (70 MB of base64) costs it half a gigabyte, and
the service runs on small machines next to other work. So in a big message
every long run of base64 text is cut out and replaced by a short marker
line before parsing; once the tree is built, each part whose body is a
marker gets its bytes decoded from the original span in one step (one
copy, no per-line strings). Small messages, nearly all of them, are parsed
exactly as they are.
"""

from __future__ import annotations

import binascii
import quopri
import re
from email.message import Message

BIG_MESSAGE = 4 << 20  # bytes; below this nothing is set aside
MIN_SPAN = 1 << 20  # a body shorter than this is left to the parser
DATA_ATTRIBUTE = "_intake_data"  # where a set-aside part's decoded bytes are kept on its Message

_RUN = re.compile(rb"[A-Za-z0-9+/=\r\n]++")  # possessive: each run is scanned once
_MARK = "INTAKESPAN{:06d}X"
_MARK_RE = re.compile(r"INTAKESPAN(\d{6})X")


def set_aside(raw: bytes, min_span: int = MIN_SPAN, big: int = BIG_MESSAGE) -> tuple[bytes, list[tuple[int, int]]]:
    """The message with its long encoded bodies replaced by markers, and where each body was in `raw`."""
    if len(raw) < big:
        return raw, []
    spans: list[tuple[int, int]] = []
    pieces: list[bytes] = []
    last = 0
    for run in _RUN.finditer(raw):
        start, end = _body_bounds(raw, *run.span())
        if end - start < min_span:
            continue
        pieces += [raw[last:start], _MARK.format(len(spans)).encode("ascii")]
        spans.append((start, end))
        last = end
    pieces.append(raw[last:])
    return (b"".join(pieces), spans) if spans else (raw, [])


def _body_bounds(raw: bytes, start: int, end: int) -> tuple[int, int]:
    """Trim a run to whole body lines: not the tail of a header line before it, no blank lines around it."""
    if start > 0 and raw[start - 1:start] != b"\n":
        newline = raw.find(b"\n", start, end)
        start = end if newline < 0 else newline + 1
    while start < end and raw[start:start + 1] in (b"\r", b"\n"):
        start += 1
    while end > start and raw[end - 1:end] in (b"\r", b"\n"):
        end -= 1
    return start, end


def restore(root: Message, raw: bytes, spans: list[tuple[int, int]]) -> None:
    """Give every part whose body was set aside its decoded bytes (see `part_data`)."""
    if not spans:
        return
    view = memoryview(raw)
    for part in root.walk():
        payload = part.get_payload() if not part.is_multipart() else None
        found = _MARK_RE.fullmatch(payload.strip()) if isinstance(payload, str) else None
        if found is None:
            continue
        start, end = spans[int(found.group(1))]
        encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
        if encoding == "base64":
            data = binascii.a2b_base64(view[start:end])  # skips the line breaks
        elif encoding == "quoted-printable":
            data = quopri.decodestring(bytes(view[start:end]))
        else:
            data = bytes(view[start:end])
        setattr(part, DATA_ATTRIBUTE, data)


def part_data(part: Message) -> bytes | None:
    """The decoded bytes of a part set aside by `set_aside`, else None (decode it as usual)."""
    return getattr(part, DATA_ATTRIBUTE, None)
