"""What a file is, by its first bytes; its name is only a hint.

Offices send `申报表` with no extension, a `.docx` that Word 97 wrote, a
`.pdf` that is a phone's JPEG, a `.zip` that WinRAR made, and webmail marks
everything `application/octet-stream`. `content_extension` answers the
extension the content has, keeping the name's own spelling when both agree
on the family (`.jpeg` stays `.jpeg`, `.docm` stays `.docm`).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TNEF_MAGIC = b"\x78\x9f\x3e\x22"
_PREFIXES = (
    (b"\xff\xd8\xff", ".jpg"), (b"\x89PNG\r\n\x1a\n", ".png"), (b"GIF87a", ".gif"), (b"GIF89a", ".gif"),
    (b"II*\x00", ".tif"), (b"MM\x00*", ".tif"), (b"Rar!\x1a\x07\x00", ".rar"), (b"Rar!\x1a\x07\x01\x00", ".rar"),
    (b"7z\xbc\xaf\x27\x1c", ".7z"), (b"\x1f\x8b\x08", ".gz"), (b"\xfd7zXZ\x00", ".xz"),
    (b"{\\rtf", ".rtf"), (TNEF_MAGIC, ".dat"),
)
_BZIP2_BLOCKS = (b"\x31\x41\x59\x26\x53\x59", b"\x17\x72\x45\x38\x50\x90")  # a block, or the end of an empty stream
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}
_QUICKTIME_BRANDS = {b"qt  "}
# Extensions that name the same kind of content; the name's spelling wins inside a family.
_FAMILIES = (
    {".jpg", ".jpeg", ".jpe", ".jfif"}, {".tif", ".tiff"}, {".heic", ".heif"}, {".mp4", ".m4v", ".3gp", ".mov"},
    {".doc", ".wps", ".dot"}, {".xls", ".et", ".xlt"}, {".docx", ".docm", ".dotx"}, {".xlsx", ".xlsm"},
    {".gz", ".tgz"}, {".bz2", ".tbz2", ".tbz"}, {".dat", ".tnef"}, {".odt", ".ott"}, {".ods", ".ots"},
)
# Zip parts that say which document a zip package is, checked in order.
_ZIP_PARTS = (("word/document.xml", ".docx"), ("xl/workbook.xml", ".xlsx"), ("ppt/presentation.xml", ".pptx"),
              ("OFD.xml", ".ofd"))
_PACKAGE_EXTENSIONS = {".docx", ".docm", ".dotx", ".xlsx", ".xlsm", ".pptx", ".odt", ".ods", ".odp", ".ofd"}
_ODF_TYPES = {b"application/vnd.oasis.opendocument.text": ".odt",
              b"application/vnd.oasis.opendocument.spreadsheet": ".ods",
              b"application/vnd.oasis.opendocument.presentation": ".odp"}
# A password-protected Office file is an OLE box whatever it was; it keeps the name's extension.
_ENCRYPTED_OFFICE = {".docx", ".docm", ".xlsx", ".xlsm", ".pptx", ".doc", ".xls", ".ppt", ".wps", ".et"}
# OLE2 streams that say which Office program wrote a compound file.
_OLE_STREAMS = ((("__properties_version1.0",), ".msg"), (("WordDocument",), ".doc"),
                (("Workbook",), ".xls"), (("Book",), ".xls"), (("PowerPoint Document",), ".ppt"),
                (("EncryptedPackage",), None))


def content_extension(data: bytes, filename: str = "") -> str:
    """The extension `data` really has (lower case, with the dot); the name's own when the content is unknown."""
    hint = PurePath(filename).suffix.lower()
    found = sniff_extension(data, hint)
    if found is None:
        return hint
    return hint if _same_family(found, hint) else found


def sniff_extension(data: bytes, hint: str = "") -> str | None:
    """The extension the first bytes say a file has, or None when they say nothing we know."""
    head = data[:64]
    if head.startswith(b"%PDF"):
        return ".pdf"
    for magic, ext in _PREFIXES:
        if head.startswith(magic):
            return ext
    if head.startswith(OLE_MAGIC):
        return _ole_kind(data, hint)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data, hint)
    if head[4:8] == b"ftyp":
        return _ftyp_kind(head[8:12])
    if head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"AVI "):
        return ".webp" if head[8:12] == b"WEBP" else ".avi"
    if head.startswith(b"BZh") and head[3:4].isdigit() and head[4:10] in _BZIP2_BLOCKS:
        return ".bz2"
    if head.startswith(b"BM") and (_bmp_size(head) == len(data) or hint == ".bmp"):
        return ".bmp"
    if data[257:262] == b"ustar":
        return ".tar"
    if b"%PDF-" in data[:1024]:  # some scanners write a few bytes of junk before the header
        return ".pdf"
    return None


def _same_family(found: str, hint: str) -> bool:
    return found == hint or any(found in family and hint in family for family in _FAMILIES)


def _ftyp_kind(brand: bytes) -> str:
    if brand in _HEIF_BRANDS:
        return ".heic"
    if brand == b"avif":
        return ".avif"
    return ".mov" if brand in _QUICKTIME_BRANDS else ".mp4"


def _bmp_size(head: bytes) -> int:
    return int.from_bytes(head[2:6], "little")


def _zip_kind(data: bytes, hint: str) -> str:
    """docx/xlsx/pptx/odt/ods/ofd by the parts inside; any other zip is `.zip`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            mimetype = package.read("mimetype").strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, RuntimeError, NotImplementedError):
        return _zip_kind_by_bytes(data, hint)
    for part, ext in _ZIP_PARTS:
        if part in names:
            return ext
    return _ODF_TYPES.get(mimetype, ".zip")


def _zip_kind_by_bytes(data: bytes, hint: str) -> str:
    """A zip too broken for zipfile: the part names in its local headers, else the name (a damaged .docx stays one)."""
    head = data[:65536] + data[-65536:]
    for part, ext in _ZIP_PARTS:
        if part.encode() in head:
            return ext
    return hint if hint in _PACKAGE_EXTENSIONS else ".zip"


def _ole_kind(data: bytes, hint: str) -> str:
    """.doc/.xls/.ppt/.msg by the streams of the compound file; WPS/ET keep their own names."""
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            streams = {"/".join(path) for path in ole.listdir(streams=True, storages=True)}
    except Exception:  # noqa: BLE001 - a damaged OLE file: the name is all we have
        return hint or ".doc"
    for names, ext in _OLE_STREAMS:
        if any(name in streams for name in names):
            if ext is None:  # a password-protected OOXML file in an OLE box
                return hint if hint in _ENCRYPTED_OFFICE else ".docx"
            return hint if _same_family(ext, hint) else ext
    return hint or ".doc"
