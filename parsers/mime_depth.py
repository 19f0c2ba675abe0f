"""How deep a message's MIME parts may nest, bounded before Python's parser sees the bytes.

The stdlib parser recurses once per multipart or message/* level, so a few
kilobytes of 2,000 nested multiparts raise RecursionError. Nobody's mail client nests
more than a dozen levels, even for a forward of a forward. So the raw text
is scanned the way the parser will read it — headers, boundaries, the
digest default of message/rfc822 — and the part at `MAX_DEPTH` that would
open one more level has its type replaced by `TOO_DEEP`: the parser takes
it as one opaque body, and the rest of the message is read as usual.

Most messages are not scanned at all: nesting needs a Content-Type per level
(at least every other level, in a digest), so a message with few of them
cannot be deep.
"""

from __future__ import annotations

import re
from email.parser import BytesHeaderParser

MAX_DEPTH = 30  # MIME levels read; a real client writes fewer than a dozen
TOO_DEEP = "application/x-intake-too-deep"

_NESTING = re.compile(rb"^content-type:[ \t]*(?:\r?\n[ \t]+)?(?:multipart|message)/", re.IGNORECASE | re.MULTILINE)
_FIELD = re.compile(rb"^[!-9;-~]+:")  # a header field name and its colon, as the parser accepts it
_TYPE = re.compile(rb"^(content-type:\s*)(?:multipart|message)/[^;\s]+", re.IGNORECASE | re.MULTILINE)


class _Frame:
    """An open multipart: its boundary line, its depth, whether its parts default to message/rfc822."""

    __slots__ = ("boundary", "depth", "digest")

    def __init__(self, boundary: bytes, depth: int, digest: bool):
        self.boundary, self.depth, self.digest = b"--" + boundary, depth, digest


def bound_depth(raw: bytes, max_depth: int = MAX_DEPTH) -> bytes:
    """`raw` with every part nested deeper than `max_depth` levels turned into one opaque `TOO_DEEP` body."""
    found = sum(1 for _ in _NESTING.finditer(raw))
    if found * 2 <= max_depth:
        return raw
    return b"".join(_Scan(max_depth).lines(raw.splitlines(keepends=True)))


class _Scan:
    def __init__(self, max_depth: int):
        self.max_depth = max_depth
        self.stack: list[_Frame] = []
        self.depth = 0  # of the entity whose headers are being read
        self.digest = False  # whether that entity's parent is a multipart/digest
        self.headers: list[bytes] | None = []  # None while in a body
        self._pending: list[bytes] | None = None  # what follows a boundary line: a part's headers, or an epilogue

    def lines(self, lines: list[bytes]):
        if lines and lines[0].startswith(b"From "):  # an mbox separator, not a header
            yield lines.pop(0)
        for line in lines:
            if self.stack and line.startswith(b"--") and self._boundary(line):
                yield from self._flush()
                yield line
            elif self.headers is None:
                yield line
            elif not line.strip(b"\r\n"):
                yield from self._end_headers()
                yield line
            elif _FIELD.match(line) or (self.headers and line[:1] in (b" ", b"\t")):
                self.headers.append(line)
            else:  # a line that is no header ends the headers, as the parser takes it: the body begins
                yield from self._end_headers()
                if self.headers is not None:  # the message a message/* part carries has no headers either
                    yield from self._end_headers()
                yield line
        yield from self._flush()

    def _boundary(self, line: bytes) -> bool:
        """Close what a boundary line of an open multipart ends; start its next part unless it is the last."""
        text = line.rstrip(b"\r\n").rstrip(b" \t")
        for index in range(len(self.stack) - 1, -1, -1):
            frame = self.stack[index]
            if text == frame.boundary or text == frame.boundary + b"--":
                del self.stack[index + 1:]
                if text == frame.boundary:
                    self.depth, self.digest, self._pending = frame.depth + 1, frame.digest, []
                else:
                    self.stack.pop()
                    self._pending = None
                return True
        return False

    def _flush(self):
        """Headers cut short by a boundary or the end are kept as written; then the next entity starts."""
        if self.headers:
            yield from self.headers
        self.headers, self._pending = self._pending, None

    def _end_headers(self):
        """The headers of one entity read: go into its body, or into the message it carries, or cut it off."""
        headers, self.headers = self.headers or [], None
        parsed = BytesHeaderParser().parsebytes(b"".join(headers) + b"\r\n")
        declared = parsed.get("content-type") is not None
        ctype = parsed.get_content_type() if declared or not self.digest else "message/rfc822"
        maintype = ctype.partition("/")[0]
        opens = (maintype == "multipart" and parsed.get_boundary() is not None) or (
            maintype == "message" and ctype != "message/delivery-status")
        if opens and self.depth >= self.max_depth:
            headers = _cut_off(headers, declared)
        elif maintype == "multipart" and opens:
            boundary = parsed.get_boundary().encode("ascii", "surrogateescape")
            self.stack.append(_Frame(boundary, self.depth, ctype == "multipart/digest"))
        elif opens:  # message/*: the body is a whole message, one level down
            self.depth, self.digest, self.headers = self.depth + 1, False, []
        yield from headers


def _cut_off(headers: list[bytes], declared: bool) -> list[bytes]:
    """The headers with the type replaced by TOO_DEEP (its parameters, such as name=, kept)."""
    if not declared:
        return [*headers, f"Content-Type: {TOO_DEEP}\r\n".encode()]
    return [_TYPE.sub(lambda m: m.group(1) + TOO_DEEP.encode(), b"".join(headers), count=1)]
