"""Reading a posted form with bounds: the type we send, a size cap checked before and while reading.

The console's forms are small (a CSRF token, a note of at most 2,000
characters, a profile name) and always URL-encoded, so anything else is
refused: another type with 415 before a byte is read, a declared length past
the cap with 413 before a byte is read, and a body without a length (chunked)
with 413 as soon as what arrived passes the cap. Nothing is spooled to disk:
multipart bodies, whose files Starlette would spool, are never parsed.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

FORM_BYTES = 64 * 1024
LOGIN_BYTES = 16 * 1024
MAX_FIELDS = 50
FORM_TYPE = "application/x-www-form-urlencoded"


class Refused(Exception):
    """The request is refused before its handler runs; `message` is what the person reads."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


async def read_form(request: Request, limit: int = FORM_BYTES) -> FormData:
    """The URL-encoded form of a POST, read only up to `limit` bytes; raises `Refused` otherwise."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != FORM_TYPE:
        raise Refused(415, "提交的内容格式不对，请在控制台页面上重新提交。")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise Refused(413, "提交的内容过长，请缩短后重试。")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refused(413, "提交的内容过长，请缩短后重试。")
    try:
        return FormData(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FIELDS))
    except ValueError:
        raise Refused(413, "提交的内容过长，请缩短后重试。") from None


def refusal(console, request: Request, refused: Refused) -> Response:
    """The page for a refused body; past the size cap the connection is closed rather than the rest drained."""
    response = console.refuse(request, refused.status, refused.message)
    if refused.status == 413:
        response.headers["Connection"] = "close"
    return response
