"""Outlook's winmail.dat (TNEF), built at test time the way Outlook on Chinese Windows writes it.

Outlook in rich-text mode sends one `winmail.dat` (application/ms-tnef)
holding the body and every attachment; names are in the OEM code page
(936, GBK). The layout follows [MS-OXTNEF]: a signature, a key, then
attributes of level 1 (message) or 2 (attachment), each with a checksum.
"""

from __future__ import annotations

import struct

_SIGNATURE = 0x223E9F78
_LVL_MESSAGE, _LVL_ATTACHMENT = 1, 2
_TNEF_VERSION = (0x9006, 0x0008)  # (id, type): attTnefVersion, dword
_OEM_CODEPAGE = (0x9007, 0x0006)
_BODY = (0x800C, 0x0002)  # attBody, text
_RENDDATA = (0x9002, 0x0006)  # starts an attachment
_TITLE = (0x8010, 0x0001)  # attAttachTitle, string
_DATA = (0x800F, 0x0006)  # attAttachData, bytes


def build_tnef(files: list[tuple[str, bytes]], body: str = "", codepage: int = 936) -> bytes:
    """A winmail.dat carrying `files` and a plain-text `body`."""
    codec = "gbk" if codepage == 936 else "cp1252"
    out = [struct.pack("<IH", _SIGNATURE, 0x1234)]
    out.append(_attribute(_LVL_MESSAGE, _TNEF_VERSION, struct.pack("<I", 0x00010000)))
    out.append(_attribute(_LVL_MESSAGE, _OEM_CODEPAGE, struct.pack("<II", codepage, 0)))
    if body:
        out.append(_attribute(_LVL_MESSAGE, _BODY, body.encode(codec) + b"\x00"))
    for name, data in files:
        out.append(_attribute(_LVL_ATTACHMENT, _RENDDATA, struct.pack("<HIIHHI", 1, 0xFFFFFFFF, 0, 0, 0, 0)))
        out.append(_attribute(_LVL_ATTACHMENT, _TITLE, name.encode(codec) + b"\x00"))
        out.append(_attribute(_LVL_ATTACHMENT, _DATA, data))
    return b"".join(out)


def _attribute(level: int, attribute: tuple[int, int], data: bytes) -> bytes:
    ident, kind = attribute
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BHHI", level, ident, kind, len(data)) + data + struct.pack("<H", checksum)
