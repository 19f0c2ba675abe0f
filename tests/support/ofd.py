"""OFD application forms (GB/T 33190) built from their XML parts, as e-document systems write them.

The package holds ``OFD.xml`` → ``Doc_0/Document.xml`` → one ``Content.xml``
per page with TextObject/TextCode (millimetres, baseline origins, DeltaX
advances), PathObjects for the table rules and ImageObjects into ``Res/``;
an electronically sealed form adds ``Doc_0/Signs/Signatures.xml`` and
``Sign_0/Signature.xml`` with the StampAnnot over 申报单位意见, the seal
(``Seal.esl``) and the signed value (``SignedValue.dat``).
"""

from __future__ import annotations

import hashlib
import re
import io
import zipfile
from base64 import b64encode
from xml.sax.saxutils import escape

from PIL import Image

from ingest.samples.paper import SEAL_RED, seal_mask, mm, to_png
from ingest.samples.scans import INTRO, TITLES

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
ROW_H, LEFT, RIGHT, LABEL_W = 12.0, 20.0, 190.0, 35.0


def _text(obj_id: int, x: float, y: float, size: float, text: str) -> str:
    """One TextObject holding one line; y is the baseline, DeltaX one glyph per character."""
    width = size * len(text)
    delta = f' DeltaX="g {len(text) - 1} {size}"' if len(text) > 1 else ""
    return (f'<ofd:TextObject ID="{obj_id}" Boundary="{x} {y - size} {width} {size * 1.4}" Font="2" Size="{size}">'
            f'<ofd:FillColor Value="0 0 0"/><ofd:TextCode X="0" Y="{size}"{delta}>{escape(text)}</ofd:TextCode>'
            '</ofd:TextObject>')


def _rule(obj_id: int, x0: float, y0: float, x1: float, y1: float) -> str:
    return (f'<ofd:PathObject ID="{obj_id}" Boundary="0 0 210 297" LineWidth="0.3">'
            f'<ofd:AbbreviatedData>M {x0} {y0} L {x1} {y1}</ofd:AbbreviatedData></ofd:PathObject>')


def _form_objects(kind: str, name: str, unit: str) -> tuple[list[str], tuple[float, float, float, float]]:
    """The form's text and rules as OFD objects, and the box of the 申报单位意见 cell."""
    annex, title, name_label, intro_label = TITLES[kind]
    ids = iter(range(100, 10_000))
    objects = [_text(next(ids), LEFT, 25, 5.6, annex), _text(next(ids), 105 - 3.9 * len(title), 42, 7.8, title)]
    rows = [(name_label, name), ("申报单位", unit), ("负责人", "张华  联系电话 13857112345"),
            (intro_label, INTRO[:28]), ("", INTRO[28:56]), ("申报单位意见", "情况属实，同意推荐。"), ("", "（盖章）")]
    y = 55.0
    objects.append(_rule(next(ids), LEFT, y, RIGHT, y))
    for label, value in rows:
        if label:
            objects.append(_text(next(ids), LEFT + 2, y + 8, 4.2, label))
        objects.append(_text(next(ids), LEFT + LABEL_W + 3, y + 8, 4.2, value))
        y += ROW_H
        if label or value.startswith("（"):
            objects.append(_rule(next(ids), LEFT, y, RIGHT, y))
    objects += [_rule(next(ids), x, 55.0, x, y) for x in (LEFT, LEFT + LABEL_W, RIGHT)]
    return objects, (LEFT + LABEL_W, y - 2 * ROW_H, RIGHT - LEFT - LABEL_W, 2 * ROW_H)


def seal_png(unit: str) -> bytes:
    """The unit's e-seal as a seal platform exports it: red ink on a transparent ground."""
    mask = seal_mask(unit, mm(42))
    rgba = Image.new("RGBA", mask.size, SEAL_RED + (0,))
    rgba.putalpha(mask)
    buf = io.BytesIO()
    rgba.save(buf, "PNG")
    return buf.getvalue()


def _der(tag: int, body: bytes) -> bytes:
    """One DER element: the e-seal file (Seal.esl) is ASN.1, like GM/T 0031 seals."""
    n = len(body)
    length = bytes([n]) if n < 128 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes(
        (n.bit_length() + 7) // 8, "big")
    return bytes([tag]) + length + body


def _seal_esl(unit: str, png: bytes) -> bytes:
    header = _der(0x16, b"ES") + _der(0x02, b"\x04") + _der(0x16, b"OFD")
    return _der(0x30, header + _der(0x0C, unit.encode()) + _der(0x16, b"png") + _der(0x04, png))


def _document_xml(pages: int, with_image: bool) -> str:
    res = '<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>' if with_image else ""
    listed = "".join(f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(pages))
    return (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {NS}><ofd:CommonData>'
            '<ofd:MaxUnitID>10000</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>'
            f'</ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>{res}</ofd:CommonData>'
            f'<ofd:Pages>{listed}</ofd:Pages></ofd:Document>')


def _signature_xml(box: tuple[float, float, float, float], digest: bytes) -> str:
    boundary = " ".join(str(v) for v in box)
    return (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Signature {NS}><ofd:SignedInfo>'
            '<ofd:Provider ProviderName="电子印章客户端" Version="2.0" Company="某电子签章服务商"/>'
            '<ofd:SignatureMethod>1.2.156.10197.1.501</ofd:SignatureMethod>'
            '<ofd:SignatureDateTime>20240520103000Z</ofd:SignatureDateTime>'
            '<ofd:References CheckMethod="1.2.156.10197.1.401">'
            '<ofd:Reference FileRef="/Doc_0/Pages/Page_0/Content.xml">'
            f'<ofd:CheckValue>{b64encode(digest).decode()}</ofd:CheckValue></ofd:Reference></ofd:References>'
            f'<ofd:StampAnnot ID="1" PageRef="1" Boundary="{boundary}"/>'
            '<ofd:Seal><ofd:BaseLoc>Seal.esl</ofd:BaseLoc></ofd:Seal></ofd:SignedInfo>'
            '<ofd:SignedValue>SignedValue.dat</ofd:SignedValue></ofd:Signature>')


def build_ofd_form(kind: str, name: str, unit: str, *, signed: bool = True, seal_image: bool = False,
                   scan: Image.Image | None = None) -> bytes:
    """An OFD of one form: text and rules, e-sealed when ``signed``; ``seal_image`` places the seal's
    picture without a signature; ``scan`` makes the page a scanned picture instead of text."""
    objects, cell = _form_objects(kind, name, unit)
    seal_box = (cell[0] + cell[2] - 55, cell[1] - 8, 42.0, 42.0)
    media = {}
    if scan is not None:
        objects, media = [], {"1": ("image_1.png", to_png(scan.convert("RGB").resize((1240, 1754))))}
        objects.append('<ofd:ImageObject ID="50" ResourceID="1" Boundary="0 0 210 297" CTM="210 0 0 297 0 0"/>')
    if seal_image:
        media["2"] = ("image_2.png", seal_png(unit))
        objects.append(f'<ofd:ImageObject ID="51" ResourceID="2" Boundary="{" ".join(map(str, seal_box))}" '
                       'CTM="42 0 0 42 0 0"/>')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}><ofd:Content><ofd:Layer ID="3">'
               + "".join(objects) + '</ofd:Layer></ofd:Content></ofd:Page>')
    parts = {
        "OFD.xml": (f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} Version="1.0" DocType="OFD"><ofd:DocBody>'
                    '<ofd:DocInfo><ofd:DocID>6f1c2d0e9a2b4c7d8e9f0a1b2c3d4e5f</ofd:DocID>'
                    f'<ofd:Title>{escape(TITLES[kind][1])}</ofd:Title><ofd:Creator>数科OFD版式办公套件</ofd:Creator>'
                    '</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
                    + ('<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>' if signed else "")
                    + '</ofd:DocBody></ofd:OFD>'),
        "Doc_0/Document.xml": _document_xml(1, bool(media)),
        "Doc_0/PublicRes.xml": (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {NS} BaseLoc="Res"><ofd:Fonts>'
                                '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'),
        "Doc_0/Pages/Page_0/Content.xml": content,
    }
    if media:
        listed = "".join(f'<ofd:MultiMedia ID="{i}" Type="Image"><ofd:MediaFile>{n}</ofd:MediaFile>'
                         '</ofd:MultiMedia>' for i, (n, _) in media.items())
        parts["Doc_0/DocumentRes.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {NS} BaseLoc="Res">'
                                          f'<ofd:MultiMedias>{listed}</ofd:MultiMedias></ofd:Res>')
    if signed:
        png = seal_png(unit)
        digest = hashlib.sha256(content.encode()).digest()
        parts["Doc_0/Signs/Signatures.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures {NS}><ofd:MaxSignId>1</ofd:MaxSignId>'
            '<ofd:Signature ID="1" Type="Seal" BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"/></ofd:Signatures>')
        parts["Doc_0/Signs/Sign_0/Signature.xml"] = _signature_xml(seal_box, digest)
        parts["Doc_0/Signs/Sign_0/Seal.esl"] = _seal_esl(unit, png)
        parts["Doc_0/Signs/Sign_0/SignedValue.dat"] = _der(0x30, _der(0x04, digest) + _der(0x03, b"\x00" + digest))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in parts.items():
            zf.writestr(path, data.encode("utf-8") if isinstance(data, str) else data)
        for name, data in media.values():
            zf.writestr(f"Doc_0/Res/{name}", data)
    return buf.getvalue()


# ---------------------------------------------------------------- hostile OFDs


def rewrite_part(data: bytes, part: str, edit) -> bytes:
    """The package with one part passed through ``edit`` (bytes → bytes), the rest unchanged."""
    source, buf = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = source.read(info)
            out.writestr(info.filename, edit(content) if info.filename == part else content)
    return buf.getvalue()


BOMB_FORM = ("course", "适老化数字技能培训", "温州市鹿城区五马街道社区教育学校")  # kind, name, unit


def deltax_bomb(count: int = 25_000_000, form: tuple[str, str, str] = BOMB_FORM) -> bytes:
    """An e-sealed text OFD of ``form`` whose first glyph run claims ``count`` advances in the
    ``g count value`` shorthand: a few bytes that a naive reader expands into a list of ``count`` floats."""
    form = build_ofd_form(*form)
    content = "Doc_0/Pages/Page_0/Content.xml"
    return rewrite_part(form, content, lambda xml: re.sub(rb'DeltaX="g \d+ ', f'DeltaX="g {count} '.encode(), xml, 1))


def boundary_bomb(side_mm: float = 3_500.0, form: tuple[str, str, str] = BOMB_FORM) -> bytes:
    """A text OFD of ``form`` with an 8×8 seal picture placed in a ``side_mm`` square: drawn as placed
    at 100 dpi, the 8×8 PNG becomes a picture of about 190 megapixels (3.5 m square)."""
    tiny = io.BytesIO()
    Image.new("RGBA", (8, 8), SEAL_RED + (255,)).save(tiny, "PNG")
    form = build_ofd_form(*form, signed=False, seal_image=True)
    form = rewrite_part(form, "Doc_0/Res/image_2.png", lambda _: tiny.getvalue())
    content = "Doc_0/Pages/Page_0/Content.xml"
    boundary = f'\\g<1>0 0 {side_mm} {side_mm}"'.encode()
    return rewrite_part(form, content, lambda xml: re.sub(rb'(ID="51" ResourceID="2" Boundary=")[^"]*"', boundary, xml))
