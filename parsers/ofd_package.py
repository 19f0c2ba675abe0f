"""The OFD package: a zip of XML parts and pictures, read the way GB/T 33190 resolves paths, within bounds.

Parts are resolved relative to the file that names them. XML is parsed
without DTDs (no entity bombs, no external entities) and at most
``MAX_XML_PART`` per part; a picture at most ``MAX_PART``; and what is kept
in memory at once at most about twice the package's own size — pictures do
not compress, so a real OFD unpacks to about what it weighs, and parts that
claim far more are a bomb, refused as a damaged file.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from io import BytesIO
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree

from parsers.facts import UnreadableFile

MAX_PART = 64 * 1024 * 1024  # bytes one part (a picture) may unpack to
MAX_XML_PART = 8 * 1024 * 1024  # bytes one XML part may unpack to: a dense page's Content.xml is ~200 KB


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _strip(root: ElementTree.Element) -> ElementTree.Element:
    """Namespaces off: producers spell the ofd namespace (and its prefix) differently."""
    for el in root.iter():
        el.tag = _local(el.tag)
    return root


class Package:
    """The OFD zip with paths resolved the way the standard says (relative to the referring file)."""

    def __init__(self, filename: str, data: bytes):
        self.filename = filename
        self._read: dict[str, bytes] = {}
        self._kept, self._allowance = 0, 2 * len(data) + MAX_PART
        try:
            self.zip = zipfile.ZipFile(BytesIO(data))
            self.names = {n.lstrip("/"): n for n in self.zip.namelist()}
        except (zipfile.BadZipFile, ValueError) as exc:
            raise self.broken() from exc

    def broken(self) -> UnreadableFile:
        return UnreadableFile(f"OFD文件《{self.filename}》已损坏或不是有效的OFD文件，无法打开。"
                              "请重新导出OFD，或导出为PDF后发送。")

    @staticmethod
    def resolve(base: str, loc: str) -> str:
        loc = loc.strip().replace("\\", "/")
        return posixpath.normpath(loc.lstrip("/") if loc.startswith("/") else posixpath.join(base, loc))

    def has(self, path: str) -> bool:
        return path in self.names

    def size(self, path: str) -> int:
        return self.zip.getinfo(self.names[path]).file_size

    def read(self, path: str, limit: int = MAX_PART) -> bytes:
        """One part, read once and kept: a thousand ImageObjects naming one picture share its bytes.

        What is kept is bounded by the package's own size (pictures do not
        compress, so a real OFD unpacks to about what it weighs); parts that
        unpack far past it are a bomb, refused as a damaged file.
        """
        if path in self._read:
            return self._read[path]
        try:
            info = self.zip.getinfo(self.names[path])
            self._kept += info.file_size
            if info.file_size > limit or self._kept > self._allowance:  # zipfile stops at the declared size
                raise self.broken()
            self._read[path] = self.zip.read(info)
            return self._read[path]
        except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, EOFError, NotImplementedError, zlib.error) as exc:
            raise self.broken() from exc

    def xml(self, path: str) -> ElementTree.Element:
        try:  # parts come from strangers: no DTDs, so no entity bombs or external entities
            return _strip(SafeTree.fromstring(self._xml_bytes(path), forbid_dtd=True))
        except (ElementTree.ParseError, DefusedXmlException) as exc:
            raise self.broken() from exc

    def _xml_bytes(self, path: str) -> bytes:
        """An XML part's bytes, not kept (each is parsed once) nor counted as kept."""
        data = self.read(path, MAX_XML_PART)
        del self._read[path]
        self._kept -= len(data)
        return data
