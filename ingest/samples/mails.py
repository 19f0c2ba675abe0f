"""Realistic submission emails built in code, the way Chinese mail clients write them.

Foxmail, QQ Mail, 163 and Outlook each encode Chinese differently: GBK or
GB18030 bodies in base64 or quoted-printable, subjects as encoded words
(sometimes labelled GB2312 over GBK bytes, sometimes cut mid-character),
attachment names in RFC 2231, as encoded words inside quotes, or as raw
8-bit GBK. `build_mail` reproduces each of these so tests and the demo
exercise the real decoding paths.
"""

from __future__ import annotations

import base64
import hashlib
import io
import mimetypes
import quopri
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

CST = timezone(timedelta(hours=8))
BOUNDARY = "----=_NextPart_000_0012_01D85C3A.6B2F4E10"
_RAW_MARK = "RAWNAME{}MARK"


@dataclass
class MailSpec:
    subject: str
    sender: tuple[str, str] = ("西湖区社区学院 王老师", "xihu_sqxy@163.com")
    to: str = "zhzl@example.org.cn"
    body: str = "您好！\n附件是我单位报送的智慧助老材料，请查收。\n\n杭州市西湖区社区学院\n联系人：李敏 13812345678"
    html: str | None = None
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    date: datetime = datetime(2022, 4, 20, 10, 30, tzinfo=CST)
    message_id: str | None = None
    reply_to: str | None = None
    charset: str = "gbk"  # label written in the headers
    transfer: str = "base64"  # or "quoted-printable" / "8bit"
    subject_style: str = "encoded"  # "encoded", "split" (one character cut across two words), "raw" (8-bit)
    filename_style: str = "rfc2231"  # "rfc2231", "encoded-word", "raw" (8-bit GBK), "utf8-raw"
    extra_headers: dict[str, str] = field(default_factory=dict)
    forwarded: list[bytes] = field(default_factory=list)  # whole messages attached as message/rfc822
    from_header: str | None = None  # the From header written verbatim (a forged or broken one), instead of `sender`
    # Pictures pasted into the HTML body (Foxmail, QQ Mail): multipart/related, inline, cid:, often no file name.
    inline: list[tuple[str | None, bytes]] = field(default_factory=list)  # (file name or None, JPEG/PNG/GIF bytes)


def build_mail(spec: MailSpec) -> bytes:
    """The raw bytes of one message as `spec` describes it."""
    codec = _codec(spec.charset)
    headers = [
        ("From", spec.from_header or _from_header(spec)),
        ("To", spec.to),
        ("Subject", _subject(spec.subject, spec.charset, spec.subject_style)),
        ("Date", format_datetime(spec.date)),
        ("Message-ID", spec.message_id or f"<{abs(hash((spec.subject, spec.sender, spec.date))):x}@mail.example.cn>"),
        ("MIME-Version", "1.0"),
        ("X-Mailer", "Foxmail 7.2.23.116[cn]"),
    ]
    if spec.reply_to:
        name, _, addr = spec.reply_to.rpartition(" ")
        headers.append(("Reply-To", f"{_subject(name, spec.charset, 'encoded')} {addr}" if name else addr))
    headers += list(spec.extra_headers.items())
    body_part = _text_part("plain", spec.body, spec.charset, codec, spec.transfer)
    if spec.html is not None or spec.inline:
        html = (spec.html or "") + "".join(f'<p><img src="cid:{_cid(i)}"></p>' for i in range(len(spec.inline)))
        html_part = _text_part("html", html, spec.charset, codec, spec.transfer)
        body_part = _multipart("alternative", [body_part, html_part], "alt")
    if spec.inline:
        body_part = _multipart("related", [body_part] + [_inline(i, n, d) for i, (n, d) in enumerate(spec.inline)],
                               "rel")
    raw_names: list[bytes] = []
    if spec.attachments or spec.forwarded:
        parts = [body_part] + [_attachment(n, d, spec, raw_names) for n, d in spec.attachments]
        parts += [_forwarded(inner) for inner in spec.forwarded]
        top = _multipart("mixed", parts, "mixed")
    else:
        top = body_part
    head = "".join(f"{k}: {v}\r\n" for k, v in headers)
    data = (head + top).encode("ascii", errors="surrogateescape")
    for index, raw in enumerate(raw_names):
        data = data.replace(_RAW_MARK.format(index).encode(), raw)
    return data


def _from_header(spec: MailSpec) -> str:
    name, address = spec.sender
    return f"{_subject(name, spec.charset, 'encoded')} <{address}>" if name else address


def _codec(charset: str) -> str:
    return "gb18030" if charset.lower() in ("gb2312", "gbk", "gb18030") else charset


def _subject(subject: str, charset: str, style: str) -> str:
    if subject.isascii():
        return subject
    data = subject.encode(_codec(charset))
    if style == "raw":
        return data.decode("ascii", errors="surrogateescape")
    if style == "split":  # cut one two-byte character in half, as some webmail clients do
        cut = len(data) // 2 | 1
        return f"=?{charset}?B?{base64.b64encode(data[:cut]).decode()}?=\r\n =?{charset}?B?{base64.b64encode(data[cut:]).decode()}?="
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


def _text_part(subtype: str, text: str, charset: str, codec: str, transfer: str) -> str:
    data = text.replace("\n", "\r\n").encode(codec)
    if transfer == "base64":
        payload = base64.encodebytes(data).decode().replace("\n", "\r\n")
    elif transfer == "quoted-printable":
        payload = quopri.encodestring(text.encode(codec)).decode().replace("\n", "\r\n")
    else:
        payload = data.decode("ascii", errors="surrogateescape") + "\r\n"
    return (f"Content-Type: text/{subtype}; charset=\"{charset}\"\r\n"
            f"Content-Transfer-Encoding: {transfer}\r\n\r\n{payload}")


def _multipart(subtype: str, parts: list[str], tag: str) -> str:
    boundary = f"{BOUNDARY}_{tag}_{hashlib.sha1(''.join(parts).encode('utf-8', 'surrogateescape')).hexdigest()[:10]}"
    inner = "".join(f"--{boundary}\r\n{p}\r\n" for p in parts)
    return f"Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n{inner}--{boundary}--\r\n"


def _attachment(name: str, data: bytes, spec: MailSpec, raw_names: list[bytes]) -> str:
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    shown = _filename_param(name, spec, raw_names)
    payload = base64.encodebytes(data).decode().replace("\n", "\r\n")
    return (f"Content-Type: {ctype}; name{shown}\r\n"
            f"Content-Transfer-Encoding: base64\r\n"
            f"Content-Disposition: attachment; filename{shown}\r\n\r\n{payload}")


def _cid(index: int) -> str:
    return f"{index + 1:04d}$5a2e6b3c$FA0E1BDD@qq.com"


def _inline(index: int, name: str | None, data: bytes) -> str:
    """A picture pasted into the body: disposition inline, a Content-ID the HTML points at, a name only if given."""
    kind = {b"\x89P": "png", b"GI": "gif"}.get(data[:2], "jpeg")
    shown = _subject(name, "utf-8", "encoded") if name else ""  # an encoded word in quotes, as Foxmail writes it
    named = f'; name="{shown}"' if name else ""
    disposition = f'inline; filename="{shown}"' if name else "inline"
    payload = base64.encodebytes(data).decode().replace("\n", "\r\n")
    return (f"Content-Type: image/{kind}{named}\r\nContent-Transfer-Encoding: base64\r\n"
            f"Content-ID: <{_cid(index)}>\r\nContent-Disposition: {disposition}\r\n\r\n{payload}")


def _filename_param(name: str, spec: MailSpec, raw_names: list[bytes]) -> str:
    """`=<value>` or `*=<value>` for a file name in the client style requested."""
    if name.isascii():
        return f'="{name}"'
    data = name.encode("utf-8" if spec.filename_style == "utf8-raw" else _codec(spec.charset))
    if spec.filename_style == "rfc2231":
        quoted = "".join(f"%{b:02X}" if b > 0x7E or chr(b) in " %'\";" else chr(b) for b in data)
        return f"*={spec.charset}''{quoted}"
    if spec.filename_style == "encoded-word":
        return f'="=?{spec.charset}?B?{base64.b64encode(data).decode()}?="'
    raw_names.append(data)
    return f'="{_RAW_MARK.format(len(raw_names) - 1)}"'


class _GbkZipInfo(zipfile.ZipInfo):
    """A zip member named in GBK without the UTF-8 flag, as Windows' zip tool writes it."""

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's own hook name
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def gbk_zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = _GbkZipInfo(name, date_time=(2022, 4, 20, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def _forwarded(inner: bytes) -> str:
    """A whole message attached as message/rfc822 (转发 as attachment)."""
    text = inner.decode("ascii", errors="surrogateescape")
    return f"Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n{text}"
