"""What Outlook leaves behind: winmail.dat (TNEF) and attached .msg files.

Outlook in "rich text" mode wraps every attachment into one winmail.dat
(application/ms-tnef); a unit forwarding a mail from Outlook often attaches
it as a .msg. Both are unpacked into their real files and their body text,
so they are judged like a forwarded mail.
"""

from __future__ import annotations

from parsers.mime_parts import member_file
from parsers.facts import Attachment, UnreadableFile
from parsers.text import decode_bytes

_TNEF_BROKEN = ("Outlook 附件包（winmail.dat）已损坏，无法打开。请在 Outlook 中改用“HTML”或“纯文本”格式"
                "重新发送邮件，或直接添加附件。")
MAX_EMBEDDED = 3  # .msg inside .msg, opened at most this deep


def tnef_files(data: bytes, parts) -> list[Attachment]:
    """The attachments inside a winmail.dat, names decoded in its OEM code page (GBK on Chinese Windows)."""
    import tnefparse

    try:
        tnef = tnefparse.TNEF(data, do_checksum=False)
    except Exception as exc:  # noqa: BLE001 - tnefparse raises struct/Value/Index errors on damage
        raise UnreadableFile(_TNEF_BROKEN) from exc
    codepage = tnef.codepage or "gb18030"
    if tnef.body:
        parts.texts.append(_text(tnef.body, codepage).strip("\x00"))
    if tnef.htmlbody:
        parts.htmls.append(_text(tnef.htmlbody, codepage))
    files = []
    for index, att in enumerate(tnef.attachments, start=1):
        if att.data:
            files.append(member_file(_tnef_name(att, codepage) or f"未命名附件{index}", att.data, "winmail.dat"))
    if not files and not tnef.body and not tnef.htmlbody:
        raise UnreadableFile(_TNEF_BROKEN)
    return files


def _tnef_name(att, codepage: str) -> str:
    """The long name from the MAPI properties, else the 8.3 title, as raw bytes decoded here (tnefparse assumes UTF-8)."""
    long_name = next((a.data for a in att.mapi_attrs if a.name == 0x3707), None)  # PR_ATTACH_LONG_FILENAME
    name = long_name if long_name else getattr(att, "_name", "")
    return _text(name, codepage).strip("\x00").strip() if name else ""


def msg_files(data: bytes, parts) -> tuple[list[Attachment], str]:
    """An Outlook .msg searched like a forwarded mail: (its files, its subject); its bodies go into `parts`."""
    import extract_msg

    try:
        message = extract_msg.openMsg(data)
    except Exception as exc:  # noqa: BLE001 - extract-msg raises many kinds on damaged or non-mail OLE files
        raise UnreadableFile("Outlook 邮件文件（.msg）无法打开，请把其中的附件直接添加到邮件中发送。") from exc
    try:
        files: list[Attachment] = []
        _read_msg(message, parts, files, depth=0)
        return files, str(getattr(message, "subject", "") or "")
    finally:
        message.close()


def _read_msg(message, parts, files: list[Attachment], depth: int) -> None:
    body = getattr(message, "body", None)
    if body:
        parts.texts.append(str(body).replace("\r\n", "\n"))
    html = getattr(message, "htmlBody", None)
    if html:
        parts.htmls.append(_text(html, "utf-8"))
    for index, att in enumerate(getattr(message, "attachments", []), start=1):
        payload = getattr(att, "data", None)
        if isinstance(payload, bytes):
            name = att.longFilename or att.shortFilename or getattr(att, "name", None) or f"未命名附件{index}"
            files.append(member_file(str(name), payload, "forwarded"))
        elif payload is not None and hasattr(payload, "attachments") and depth < MAX_EMBEDDED:
            _read_msg(payload, parts, files, depth + 1)  # a mail attached to the mail


def _text(value, codepage: str) -> str:
    return value if isinstance(value, str) else decode_bytes(bytes(value), codepage)
