"""Electronic seals in PDFs: signature fields, and seal pictures placed on the page.

A PDF signed by a seal platform (or in Adobe/福昕 with a unit certificate)
carries an AcroForm field of type /Sig whose value /V holds the signature
(/Contents). Its widget sits on a page, often with the seal's picture as the
appearance; an invisible signature has no page or an empty box. A signature
covers the whole file, so every page of a signed file counts as stamped; the
widget's page also gets the box.

An empty /Sig field is a place prepared for a signature that was never made:
it is reported (``pending``) so the rules can ask a person, never as stamped.
The signature's cryptography is not checked here (units use their own seal
platforms' certificates); that it was signed is what the campaign asks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from pdfminer.pdftypes import resolve1
from PIL import Image

from parsers.facts import SealFinding
from parsers.seal import find_seal

log = logging.getLogger(__name__)
MAX_FIELDS = 500  # a form with more fields than this is not walked further


@dataclass
class Signatures:
    """Signed and unsigned signature fields: page index → widget boxes (PDF points, top-left origin)."""

    signed: bool = False
    pending: bool = False  # an unsigned /Sig field only
    boxes: dict[int, list[tuple[float, float, float, float]]] = field(default_factory=dict)


def _name(value) -> str:
    value = resolve1(value)
    return getattr(value, "name", value if isinstance(value, str) else "")


def _fields(acroform: dict):
    """Every terminal field, walking /Kids, with its inherited /FT."""
    stack = [(resolve1(f), None) for f in resolve1(acroform.get("Fields")) or []]
    seen = 0
    while stack and seen < MAX_FIELDS:
        node, ft = stack.pop()
        seen += 1
        if not isinstance(node, dict):
            continue
        ft = _name(node.get("FT")) or ft
        kids = resolve1(node.get("Kids"))
        if kids and not node.get("V") and any(isinstance(resolve1(k), dict) and "T" in resolve1(k) for k in kids):
            stack += [(resolve1(k), ft) for k in kids]
        else:
            yield node, ft, [resolve1(k) for k in kids] if kids else [node]


def find_signatures(pdf) -> Signatures:
    """Signature fields of an open pdfplumber PDF; a broken form dictionary reads as none."""
    found = Signatures()
    try:
        acroform = resolve1(pdf.doc.catalog.get("AcroForm"))
        if not isinstance(acroform, dict):
            return found
        page_of = {page.page_obj.pageid: i for i, page in enumerate(pdf.pages)}
        for node, ft, widgets in _fields(acroform):
            if ft != "Sig":
                continue
            value = resolve1(node.get("V"))
            if isinstance(value, dict) and value.get("Contents"):
                found.signed = True
            else:
                found.pending = True
                continue
            for widget in widgets:
                _place(found, widget, page_of, pdf)
    except Exception as exc:  # noqa: BLE001 - a damaged form dictionary must not stop the scan
        log.warning("signature fields not readable: %s", exc)
    return found


def _place(found: Signatures, widget: dict, page_of: dict, pdf) -> None:
    """Record a visible widget's box on its page."""
    ref = widget.get("P")
    index = page_of.get(getattr(ref, "objid", None))
    rect = [float(v) for v in resolve1(widget.get("Rect")) or []]
    if index is None or len(rect) != 4 or abs(rect[2] - rect[0]) < 1 or abs(rect[3] - rect[1]) < 1:
        return
    height = float(pdf.pages[index].height)
    x0, x1 = sorted((rect[0], rect[2]))
    y0, y1 = sorted((rect[1], rect[3]))
    found.boxes.setdefault(index, []).append((x0, height - y1, x1 - x0, y1 - y0))


# ---------------------------------------------------------------- seal pictures

MM = 72 / 25.4
SEAL_MM = (15, 85)  # placed size of a seal picture: 38–45 mm official seals, with room either side


def embedded_seal(document, index: int) -> tuple[SealFinding, tuple[float, float, float, float]] | None:
    """The most seal-like picture placed on page ``index`` of an open pypdfium2 document, and its box.

    A seal platform's e-seal is a picture (often a PNG with transparency)
    laid over 申报单位意见; judging the picture itself finds it even where
    the rendered page hides part of it under other content.
    """
    import pypdfium2.raw as pdfium_c

    page = document[index]
    height = page.get_height()
    best = None
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)):
        left, bottom, right, top = obj.get_bounds()
        w, h = right - left, top - bottom
        if not (SEAL_MM[0] * MM <= min(w, h) and max(w, h) <= SEAL_MM[1] * MM) or max(w, h) > 1.8 * min(w, h):
            continue
        try:
            picture = obj.get_bitmap(render=True).to_pil().convert("RGBA")
        except Exception as exc:  # noqa: BLE001 - an undecodable picture is simply not a seal
            log.warning("embedded picture not decoded: %s", exc)
            continue
        seal = find_seal(_on_paper(picture))
        if seal.confidence and (best is None or seal.confidence > best[0].confidence):
            best = (seal, (left, height - top, w, h))
    return best


def _on_paper(picture: Image.Image) -> np.ndarray:
    """The picture on white paper four times its size, the proportion of a seal on a page."""
    side = 4 * max(picture.size)
    paper = Image.new("RGBA", (side, side), "white")
    paper.alpha_composite(picture, ((side - picture.width) // 2, (side - picture.height) // 2))
    return np.asarray(paper.convert("RGB"))
