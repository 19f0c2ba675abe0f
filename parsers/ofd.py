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

An OFD comes from strangers, and a few hundred bytes of it can claim
anything: ``DeltaX="g 25000000 1"`` (25 million advances), 100,000 pages
that all point at one Content.xml, numbers past any float. Every expansion is
bounded by what a page can hold — a glyph run has no more advances than its
TextCode has characters (and never more than ``MAX_RUN_GLYPHS``), a part no
more than the package allows (``parsers.ofd_package``) — and pages are
parsed only when read, so ``[limits] max_pages`` bounds the work too. A
number that is not one makes the file damaged, never a crash of ours.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.etree import ElementTree

from parsers.ofd_package import Package

MAX_RUN_GLYPHS = 4096  # glyphs of one TextCode that are kept apart: a line across A4 holds ~200
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
    label: str = "OFD页面"  # how notices name the page: OFD文件《…》第N页

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
    pages: Sequence[OfdPage]  # OfdPages: parsed when read
    signed: bool = False  # an electronic seal or signature with its signed value


def _finite(value: str) -> float:
    """A number as written; ValueError for what is not one, or not finite (``1e999``, ``nan``)."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _numbers(text: str | None) -> list[float]:
    return [_finite(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?", text or "")]


def _box(text: str | None) -> tuple[float, float, float, float] | None:
    values = _numbers(text)
    return tuple(values[:4]) if len(values) >= 4 else None


def _advances(text: str | None, glyphs: int) -> list[float]:
    """DeltaX/DeltaY, with the ``g count value`` shorthand expanded — never past the run's ``glyphs``.

    A run of n characters has n - 1 gaps, so whatever a count claims, no more
    than ``glyphs`` advances (at most MAX_RUN_GLYPHS) can ever be used.
    """
    room = min(glyphs, MAX_RUN_GLYPHS)
    out: list[float] = []
    tokens = (text or "").split()
    i = 0
    while i < len(tokens) and len(out) < room:
        if tokens[i] == "g" and i + 2 < len(tokens):
            count = float(tokens[i + 1])  # ValueError for a non-number: the caller's damaged file
            count = min(count, room - len(out)) if count >= 0 else 0  # nan is not >= 0; inf stops at room
            out += [_finite(tokens[i + 2])] * int(count)
            i += 3
        else:
            try:
                out.append(_finite(tokens[i]))
            except ValueError:
                pass
            i += 1
    return out


def _media(pkg: Package, doc_dir: str, document: ElementTree.Element) -> dict[str, str]:
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


def _page(pkg: Package, path: str, size: tuple[float, float], media: dict[str, str]) -> OfdPage:
    root = pkg.xml(path)
    box = _box(root.findtext("Area/PhysicalBox"))
    page = OfdPage(*(box[2:] if box else size))
    for obj in root.iter():
        if obj.tag == "TextObject":
            origin = _box(obj.get("Boundary")) or (0.0, 0.0, 0.0, 0.0)
            colour = tuple(min(255, max(0, int(v))) for v in _numbers(obj.find("FillColor").get("Value")))[:3] \
                if obj.find("FillColor") is not None else (0, 0, 0)
            for code in obj.findall("TextCode"):
                if code.text and code.text.strip():
                    page.texts.append(OfdText(origin[0] + _finite(code.get("X", "0")),
                                              origin[1] + _finite(code.get("Y", "0")),
                                              _finite(obj.get("Size", "3.5")), code.text,
                                              colour if len(colour) == 3 else (0, 0, 0),
                                              _advances(code.get("DeltaX"), len(code.text) - 1)))
        elif obj.tag == "ImageObject":
            where, ref = _box(obj.get("Boundary")), media.get(obj.get("ResourceID", ""))
            if where and ref and pkg.has(ref):
                page.images.append(OfdImage(where, pkg.read(ref)))
        elif obj.tag == "PathObject":
            page.paths += 1
    return page


class OfdPages(Sequence):
    """The pages in order, each parsed when first read.

    A document may list 100,000 pages that all point at one Content.xml:
    listing them costs a list of paths; only the pages read (``[limits]
    max_pages``) are parsed.
    """

    def __init__(self, pkg: Package, paths: list[str], size: tuple[float, float], media: dict[str, str],
                 stamps: dict[int, list]):
        self.pkg, self.paths, self.size, self.media, self.stamps = pkg, paths, size, media, stamps
        self._parsed: dict[int, OfdPage] = {}

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = range(len(self))[index]  # IndexError past the end, negative indexes from it
        if index not in self._parsed:
            try:
                page = _page(self.pkg, self.paths[index], self.size, self.media)
            except (ValueError, OverflowError) as exc:  # a number that is not one
                raise self.pkg.broken() from exc
            page.label = f"OFD文件《{self.pkg.filename}》第{index + 1}页"
            page.stamps = list(self.stamps.get(index, []))
            self._parsed[index] = page
        return self._parsed[index]


def _signatures(pkg: Package, path: str) -> list[tuple[str | None, tuple | None]]:
    """(page ID, box) of each electronic seal or signature whose signed value is present."""
    found = []
    base = posixpath.dirname(path)
    for sig in pkg.xml(path).iter("Signature"):
        sig_path = pkg.resolve(base, sig.get("BaseLoc", ""))
        if not pkg.has(sig_path):
            continue
        signature = pkg.xml(sig_path)
        value = pkg.resolve(posixpath.dirname(sig_path), signature.findtext("SignedValue") or "")
        if not pkg.has(value) or not pkg.size(value):
            continue
        stamps = signature.findall(".//StampAnnot")
        found += [(s.get("PageRef"), _box(s.get("Boundary"))) for s in stamps] or [(None, None)]
    return found


def read_ofd(filename: str, data: bytes) -> OfdDocument:
    """An OFD's pages in page order (parsed as read), with the electronic seals on them; raises UnreadableFile."""
    pkg = Package(filename, data)
    try:
        return _document(pkg)
    except (ValueError, OverflowError) as exc:  # a number that is not one
        raise pkg.broken() from exc


def _document(pkg: Package) -> OfdDocument:
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
    paths, ids = [], {}
    for ref in document.iter("Page"):
        if ref.get("BaseLoc"):
            ids[ref.get("ID")] = len(paths)
            paths.append(pkg.resolve(doc_dir, ref.get("BaseLoc")))
            if not pkg.has(paths[-1]):  # a page whose content is missing: damaged, said before any page is read
                raise pkg.broken()
    sign_path = body.findtext("Signatures")
    signatures = _signatures(pkg, pkg.resolve("", sign_path)) if sign_path and pkg.has(
        pkg.resolve("", sign_path)) else []
    stamps: dict[int, list] = {}
    for page_id, box in signatures:
        if page_id in ids:
            stamps.setdefault(ids[page_id], []).append(box)
    return OfdDocument(OfdPages(pkg, paths, size, media, stamps), signed=bool(signatures))
