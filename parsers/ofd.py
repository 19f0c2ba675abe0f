"""OFD documents (GB/T 33190): the text, pictures and electronic seals of each page.

Government e-document systems and 电子印章 platforms save OFD: a zip whose
``OFD.xml`` names the document root (``Doc_0/Document.xml``), which lists the
pages in order (``Pages/Page_N/Content.xml``: TextObject/TextCode with
positions in millimetres, ImageObject pointing into the resources) and the
signatures (``Signs/Signatures.xml`` → ``Sign_N/Signature.xml`` with the
StampAnnot's page and box, the seal ``Seal.esl`` and ``SignedValue.dat``).

The text is read as it is (no OCR needed); a page without text — a scan
wrapped in OFD — is rendered from its images for OCR (``parsers.ofd_render``).
A signature entry whose signed value is present is the document's electronic
seal. Its cryptography is not verified here: that the unit stamped it is what
the campaign asks; whether the certificate chain is trusted is the seal
platform's business.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree

from parsers.facts import UnreadableFile

MAX_PART = 64 * 1024 * 1024  # bytes one part may unpack to
A4_MM = (210.0, 297.0)


@dataclass
class OfdText:
    """One TextCode: its baseline origin on the page (mm), glyph size (mm), colour and characters."""

    x: float
    y: float
    size: float
    text: str
    colour: tuple[int, int, int] = (0, 0, 0)
    advances: list[float] = field(default_factory=list)  # DeltaX: mm from one glyph to the next


@dataclass
class OfdImage:
    box: tuple[float, float, float, float]  # x, y, w, h in mm
    data: bytes


@dataclass
class OfdPage:
    width: float
    height: float
    texts: list[OfdText] = field(default_factory=list)
    images: list[OfdImage] = field(default_factory=list)
    paths: int = 0  # PathObjects: table rules and boxes
    stamps: list[tuple[float, float, float, float] | None] = field(default_factory=list)  # seal boxes, mm

    def lines(self) -> list[str]:
        """The page's text as lines, top to bottom, each left to right."""
        rows: list[list[OfdText]] = []
        for t in sorted(self.texts, key=lambda t: (t.y, t.x)):
            if rows and abs(rows[-1][0].y - t.y) <= 0.5 * max(t.size, rows[-1][0].size):
                rows[-1].append(t)
            else:
                rows.append([t])
        return [" ".join(t.text for t in sorted(row, key=lambda t: t.x)) for row in rows]

    def text(self) -> str:
        return "\n".join(self.lines())

    def labels_near(self, box: tuple[float, float, float, float]) -> str:
        """The text on the rows a seal box spans: where the seal was put."""
        _, y, _, h = box
        return "".join(t.text for t in self.texts if y - 0.25 * h <= t.y <= y + 1.25 * h)


@dataclass
class OfdDocument:
    pages: list[OfdPage]
    signed: bool = False  # an electronic seal or signature with its signed value


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _strip(root: ElementTree.Element) -> ElementTree.Element:
    """Namespaces off: producers spell the ofd namespace (and its prefix) differently."""
    for el in root.iter():
        el.tag = _local(el.tag)
    return root


def _numbers(text: str | None) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?", text or "")]


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    values = _numbers(text)
    return tuple(values[:4]) if len(values) >= 4 else None


def _advances(text: str | None) -> list[float]:
    """DeltaX/DeltaY, with the ``g count value`` shorthand expanded."""
    out: list[float] = []
    tokens = (text or "").split()
    i = 0
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            out += [float(tokens[i + 2])] * int(float(tokens[i + 1]))
            i += 3
        else:
            try:
                out.append(float(tokens[i]))
            except ValueError:
                pass
            i += 1
    return out


class _Package:
    """The OFD zip with paths resolved the way the standard says (relative to the referring file)."""

    def __init__(self, filename: str, data: bytes):
        self.filename = filename
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

    def read(self, path: str) -> bytes:
        try:
            info = self.zip.getinfo(self.names[path])
            if info.file_size > MAX_PART:
                raise self.broken()
            return self.zip.read(info)
        except (KeyError, zipfile.BadZipFile, OSError, RuntimeError) as exc:
            raise self.broken() from exc

    def xml(self, path: str) -> ElementTree.Element:
        try:  # parts come from strangers: no DTDs, so no entity bombs or external entities
            return _strip(SafeTree.fromstring(self.read(path), forbid_dtd=True))
        except (ElementTree.ParseError, DefusedXmlException) as exc:
            raise self.broken() from exc


def _media(pkg: _Package, doc_dir: str, document: ElementTree.Element) -> dict[str, str]:
    """Resource ID → path of each image named in the document's resource files."""
    media: dict[str, str] = {}
    common = document.find("CommonData")
    for tag in ("DocumentRes", "PublicRes"):
        for ref in common.findall(tag) if common is not None else []:
            path = pkg.resolve(doc_dir, ref.text or "")
            if not pkg.has(path):
                continue
            res = pkg.xml(path)
            base = pkg.resolve(posixpath.dirname(path), res.get("BaseLoc", ""))
            for mm in res.iter("MultiMedia"):
                file = mm.find("MediaFile")
                if file is not None and file.text:
                    media[mm.get("ID", "")] = pkg.resolve(base, file.text)
    return media


def _page(pkg: _Package, path: str, size: tuple[float, float], media: dict[str, str]) -> OfdPage:
    root = pkg.xml(path)
    box = _box(root.findtext("Area/PhysicalBox"))
    page = OfdPage(*(box[2:] if box else size))
    for obj in root.iter():
        if obj.tag == "TextObject":
            origin = _box(obj.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
            colour = tuple(int(v) for v in _numbers(obj.find("FillColor").get("Value")))[:3] \
                if obj.find("FillColor") is not None else (0, 0, 0)
            for code in obj.findall("TextCode"):
                if code.text and code.text.strip():
                    page.texts.append(OfdText(origin[0] + float(code.get("X", 0)), origin[1] + float(code.get("Y", 0)),
                                              float(obj.get("Size", 3.5)), code.text,
                                              colour if len(colour) == 3 else (0, 0, 0),
                                              _advances(code.get("DeltaX"))))
        elif obj.tag == "ImageObject":
            where, ref = _box(obj.get("Boundary")), media.get(obj.get("ResourceID", ""))
            if where and ref and pkg.has(ref):
                page.images.append(OfdImage(where, pkg.read(ref)))
        elif obj.tag == "PathObject":
            page.paths += 1
    return page


def _signatures(pkg: _Package, path: str) -> list[tuple[str | None, tuple | None]]:
    """(page ID, box) of each electronic seal or signature whose signed value is present."""
    found = []
    base = posixpath.dirname(path)
    for sig in pkg.xml(path).iter("Signature"):
        sig_path = pkg.resolve(base, sig.get("BaseLoc", ""))
        if not pkg.has(sig_path):
            continue
        signature = pkg.xml(sig_path)
        value = pkg.resolve(posixpath.dirname(sig_path), signature.findtext("SignedValue") or "")
        if not pkg.has(value) or not pkg.read(value):
            continue
        stamps = signature.findall(".//StampAnnot")
        found += [(s.get("PageRef"), _box(s.get("Boundary"))) for s in stamps] or [(None, None)]
    return found


def read_ofd(filename: str, data: bytes) -> OfdDocument:
    """Every page of an OFD in page order, with the electronic seals on them; raises UnreadableFile."""
    pkg = _Package(filename, data)
    if not pkg.has("OFD.xml"):
        raise pkg.broken()
    body = pkg.xml("OFD.xml").find("DocBody")
    if body is None or not body.findtext("DocRoot"):
        raise pkg.broken()
    doc_path = pkg.resolve("", body.findtext("DocRoot"))
    doc_dir = posixpath.dirname(doc_path)
    document = pkg.xml(doc_path)
    size = _box(document.findtext("CommonData/PageArea/PhysicalBox"))
    size = size[2:] if size else A4_MM
    media = _media(pkg, doc_dir, document)
    pages, ids = [], {}
    for ref in document.iter("Page"):
        if ref.get("BaseLoc"):
            ids[ref.get("ID")] = len(pages)
            pages.append(_page(pkg, pkg.resolve(doc_dir, ref.get("BaseLoc")), size, media))
    sign_path = body.findtext("Signatures")
    signatures = _signatures(pkg, pkg.resolve("", sign_path)) if sign_path and pkg.has(
        pkg.resolve("", sign_path)) else []
    for page_id, box in signatures:
        if page_id in ids:
            pages[ids[page_id]].stamps.append(box)
    return OfdDocument(pages, signed=bool(signatures))
