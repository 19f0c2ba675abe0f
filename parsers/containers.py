"""Opening the containers a message carries: archives, winmail.dat, attached .msg and .eml.

The MIME walk first collects every file and all body text; only then are
containers opened, so a password written anywhere in the message (the body
may come after the attachment in the MIME tree) is known before an archive
is tried. Containers nest (a .zip in a .rar, a forwarded .msg with a .7z) up
to `ArchiveLimits.max_depth`; one `Budget` covers every level. A limit passed
anywhere drops what the top-level file had yielded and marks that file
unreadable, so the submitter hears about exactly the file they attached.
"""

from __future__ import annotations

import email
import logging
from dataclasses import dataclass, field
from pathlib import PurePath

from parsers.archive import unpack
from parsers.archive_base import ARCHIVE_EXTENSIONS, ArchiveLimits, Budget, LimitExceeded
from parsers import outlook
from parsers.facts import Attachment, UnreadableFile
from parsers.html_text import html_text
from parsers.mime_depth import bound_depth
from parsers.mime_parts import MailParts, collect_parts, member_file
from parsers.passwords import find_passwords
from parsers.sniff import TNEF_MAGIC, content_extension
from parsers.text import decode_header_value

log = logging.getLogger(__name__)

_SINGLE_FILE = {".gz", ".bz2", ".xz"}  # compressors of one file: the member takes the archive's stem
_MAIL_TYPES = ("message/rfc822", "application/vnd.ms-outlook")
TNEF_TYPES = ("application/ms-tnef", "application/vnd.ms-tnef")


@dataclass
class _Context:
    parts: MailParts
    passwords: list[str]
    budget: Budget
    out: list[Attachment] = field(default_factory=list)


def expand_files(files: list[Attachment], parts: MailParts, passwords: list[str],
                 limits: ArchiveLimits | None = None) -> list[Attachment]:
    """The files of a message with every container replaced by what it carries."""
    ctx = _Context(parts, list(passwords), Budget(limits))
    for att in files:
        mark = len(ctx.out)
        try:
            _open(att, ctx, depth=0)
        except LimitExceeded as exc:
            del ctx.out[mark:]
            att.problem = str(exc)
            ctx.out.append(att)
    return ctx.out


def _open(att: Attachment, ctx: _Context, depth: int) -> None:
    """Keep a plain file; open a container into its files (raising LimitExceeded up to the top)."""
    ext = content_extension(att.data, att.filename)
    kind = None if att.problem else _container_kind(att, ext)  # already unreadable (nested too deep): kept as it is
    if kind is None:
        ctx.out.append(att)
        return
    if depth >= ctx.budget.limits.max_depth:
        _fail(att, ctx, f"压缩包或邮件嵌套超过 {ctx.budget.limits.max_depth} 层，系统没有继续打开。"
                        "请把申报材料直接压缩（不要压缩包套压缩包）后重新发送，或直接发送附件。")
        return
    ctx.budget.open_archive(len(att.data), top_level=depth == 0)
    try:
        inner = _unpack(att, ext, kind, ctx, depth)
    except LimitExceeded:
        raise
    except UnreadableFile as exc:
        _fail(att, ctx, str(exc))
        return
    except Exception as exc:  # noqa: BLE001 - libraries raise anything on a damaged file; the message must go on
        log.warning("opening container %s failed: %r", att.filename, exc)
        ctx.parts.problems.append(f"opening container {att.filename} failed: {exc!r}")
        _fail(att, ctx, _BROKEN[kind])
        return
    if not inner and kind == "archive":  # never a silent drop: an empty or cut-off archive is reported
        _fail(att, ctx, "压缩包是空的或已损坏，没有解出任何文件，请重新压缩后发送，或直接发送附件。")
    for member in inner:
        _open(member, ctx, depth + 1)


def _fail(att: Attachment, ctx: _Context, reason: str) -> None:
    """Keep the file with why it cannot be opened, saying which attached container it came out of."""
    container = att.origin.partition(":")[2] if ":" in att.origin else ""
    att.problem = f"（该文件在《{container}》中）{reason}" if container else reason
    ctx.out.append(att)


_BROKEN = {
    "archive": "压缩包已损坏，无法解压，请重新压缩后发送。",
    "tnef": "Outlook 附件包（winmail.dat）无法打开。请在 Outlook 中改用“HTML”或“纯文本”格式重新发送邮件。",
    "msg": "Outlook 邮件文件（.msg）无法打开，请把其中的附件直接添加到邮件中发送。",
    "eml": "附带的邮件文件（.eml）无法打开，请把其中的附件直接添加到邮件中发送。",
}


def _container_kind(att: Attachment, ext: str) -> str | None:
    if ext in ARCHIVE_EXTENSIONS:
        return "archive"
    if (ext == ".dat" and att.data.startswith(TNEF_MAGIC)) or att.content_type in TNEF_TYPES:
        return "tnef"
    if ext == ".msg":
        return "msg"
    if ext == ".eml" or (att.content_type in _MAIL_TYPES and not ext):
        return "eml"
    return None


def _unpack(att: Attachment, ext: str, kind: str, ctx: _Context, depth: int) -> list[Attachment]:
    if kind == "archive":
        members = unpack(att.data, ext, ctx.passwords, ctx.budget)
        origin = f"{'zip' if ext == '.zip' else ext.lstrip('.')}:{att.filename}"
        stem = PurePath(att.filename).stem
        return [member_file(stem if ext in _SINGLE_FILE and m.path == "data" else m.name, m.data, origin) for m in members]
    parts = MailParts()
    if kind == "tnef":
        files, subject = outlook.tnef_files(att.data, parts), ""
    elif kind == "msg":
        files, subject = outlook.msg_files(att.data, parts)
    else:
        files, subject = _eml_files(att.data, parts)
    _absorb(ctx, parts, subject)
    for f in files:
        ctx.budget.take(len(f.data))
    return files


def _eml_files(data: bytes, parts: MailParts) -> tuple[list[Attachment], str]:
    """An attached .eml searched like a forwarded mail: its bodies count, its files are opened."""
    inner = email.message_from_bytes(bound_depth(data))
    return collect_parts(inner, "forwarded", parts), decode_header_value(str(inner.get("Subject") or ""))


def _absorb(ctx: _Context, parts: MailParts, subject: str) -> None:
    """A nested mail's bodies join the message's; its passwords join the ones to try."""
    ctx.parts.texts.extend(parts.texts)
    ctx.parts.htmls.extend(parts.htmls)
    ctx.parts.problems.extend(parts.problems)
    found = find_passwords(subject, *parts.texts, html_text("\n".join(parts.htmls)))
    ctx.passwords.extend(p for p in found if p not in ctx.passwords)
