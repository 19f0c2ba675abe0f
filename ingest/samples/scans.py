"""Realistic stamped scans of the application forms, rendered in code.

Units print the Word form, sign it, press the unit's red seal (公章) into the
申报单位意见 cell and scan it — often crooked, upside down or as a phone JPEG.
These builders draw such pages with Pillow and the Noto CJK fonts so that the
demo and the tests exercise the real OCR and seal detection on believable
input, without committing binary fixtures.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from ingest.samples.paper import INK, SEAL_RED, seal_mask, font, mm, press_seal, pt, scanned

A4 = (2480, 3508)  # 210 x 297 mm at 300 dpi

TITLES = {
    "case": ("附件2", "典型工作案例申报表", "案例名称", "案例简介"),
    "project": ("附件3", "典型教育培训项目申报表", "项目名称", "项目简介"),
    "course": ("附件4", "典型课程资源申报表", "课程名称", "课程简介"),
}

INTRO = (
    "本单位依托社区老年学校和街道党群服务中心，组织大学生志愿者与社区工作者结对，"
    "面向辖区六十岁以上老年人开展智能手机使用、线上挂号、移动支付防诈骗等系列培训。"
    "培训采用小班教学、一对一辅导和课后答疑相结合的方式，编写图文并茂的操作手册，"
    "录制短视频课程供老年人反复观看。两年来累计开班四十余期，服务老年人三千余人次，"
    "参训老人普遍反映学得会、用得上，有效帮助老年人跨越数字鸿沟。"
)
EXPERIENCE = (
    "一是建立需求清单，按老年人实际困难设计课程；二是组建稳定的志愿者队伍，"
    "实行积分激励；三是联合通信运营商和银行网点开展现场教学；四是建立回访机制，"
    "定期了解老年人学习效果并改进课程内容。"
)


@dataclass
class _Cursor:
    """Where the next table row starts and how wide the table is."""

    left: int
    right: int
    y: int
    label_w: int


def _wrap(text: str, fnt: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy character wrap: Chinese text breaks between any two characters."""
    lines, line = [], ""
    for ch in text:
        if fnt.getlength(line + ch) > width and line:
            lines.append(line)
            line = ch
        else:
            line += ch
    return lines + ([line] if line else [])


def _row(draw: ImageDraw.ImageDraw, cur: _Cursor, label: str, value: str, min_h: int = 0) -> None:
    """One table row: label cell on the left, wrapped value on the right."""
    body = font(pt(12), serif=True)
    pad = mm(2.5)
    value_lines = _wrap(value, body, cur.right - cur.left - cur.label_w - 2 * pad)
    label_lines = _wrap(label, font(pt(12), bold=True), cur.label_w - 2 * pad)
    line_h = round(pt(12) * 1.6)
    h = max(min_h, line_h * max(len(value_lines), len(label_lines)) + 2 * pad)
    top = cur.y
    draw.rectangle([cur.left, top, cur.right, top + h], outline=INK, width=4)
    draw.line([cur.left + cur.label_w, top, cur.left + cur.label_w, top + h], fill=INK, width=4)
    ly = top + (h - line_h * len(label_lines)) // 2
    for i, text in enumerate(label_lines):
        draw.text((cur.left + pad, ly + i * line_h), text, font=font(pt(12), bold=True), fill=INK)
    for i, text in enumerate(value_lines):
        draw.text((cur.left + cur.label_w + pad, top + pad + i * line_h), text, font=body, fill=INK)
    cur.y = top + h


def _split_row(draw: ImageDraw.ImageDraw, cur: _Cursor, cells: list[tuple[str, str]]) -> None:
    """A row of several label/value pairs, e.g. 负责人 | 张华 | 联系电话 | 138…"""
    h = round(pt(12) * 1.6) + 2 * mm(2.5)
    width = (cur.right - cur.left) // len(cells)
    for i, (label, value) in enumerate(cells):
        x = cur.left + i * width
        right = cur.right if i == len(cells) - 1 else x + width
        draw.rectangle([x, cur.y, right, cur.y + h], outline=INK, width=4)
        draw.line([x + cur.label_w, cur.y, x + cur.label_w, cur.y + h], fill=INK, width=4)
        draw.text((x + mm(2.5), cur.y + mm(2.5)), label, font=font(pt(12), bold=True), fill=INK)
        draw.text((x + cur.label_w + mm(2.5), cur.y + mm(2.5)), value, font=font(pt(12), serif=True), fill=INK)
    cur.y += h


def _opinion_row(draw: ImageDraw.ImageDraw, cur: _Cursor, unit: str) -> tuple[int, int, int, int]:
    """The 申报单位意见 cell; returns its box so the seal can be pressed into it."""
    top = cur.y
    _row(draw, cur, "申报单位意见", "情况属实，同意推荐。", min_h=mm(62))
    small = font(pt(12), serif=True)
    draw.text((cur.right - mm(70), cur.y - mm(26)), "（盖章）", font=small, fill=INK)
    draw.text((cur.right - mm(70), cur.y - mm(14)), "2024年  5月 20日", font=small, fill=INK)
    draw.text((cur.left + cur.label_w + mm(4), cur.y - mm(26)), "负责人签字：", font=small, fill=INK)
    return (cur.left + cur.label_w, top, cur.right, cur.y)


def _page(letterhead: str | None) -> tuple[Image.Image, ImageDraw.ImageDraw, int]:
    page = Image.new("RGB", A4, "white")
    draw = ImageDraw.Draw(page)
    y = mm(22)
    if letterhead:
        head = font(pt(30), serif=True, bold=True)
        w = draw.textlength(letterhead, font=head)
        draw.text(((A4[0] - w) / 2, y), letterhead, font=head, fill=SEAL_RED)
        y += pt(30) + mm(8)
        draw.line([mm(20), y, A4[0] - mm(20), y], fill=SEAL_RED, width=mm(1.2))
        y += mm(8)
    return page, draw, y


def _heading(draw: ImageDraw.ImageDraw, y: int, annex: str, title: str) -> int:
    draw.text((mm(25), y), annex, font=font(pt(16), bold=True), fill=INK)
    y += pt(16) + mm(8)
    head = font(pt(22), bold=True)
    w = draw.textlength(title, font=head)
    draw.text(((A4[0] - w) / 2, y), title, font=head, fill=INK)
    return y + pt(22) + mm(10)


def _first_page_rows(draw, cur, kind, name, unit, long_intro):
    _, _, name_label, intro_label = TITLES[kind]
    _row(draw, cur, name_label, name)
    _row(draw, cur, "申报单位", unit)
    _split_row(draw, cur, [("负责人", "张华"), ("联系电话", "13857112345")])
    _row(draw, cur, "通讯地址", "浙江省杭州市西湖区文三路100号")
    if kind == "course":
        _row(draw, cur, "资源类型", "☑教材（读本）  ☑视频资源  □其他")
    intro = INTRO * (3 if long_intro else 1)
    _row(draw, cur, intro_label, intro, min_h=mm(40))


def render_form_pages(
    kind: str,
    name: str,
    unit: str,
    *,
    seal: bool = True,
    faint_seal: bool = False,
    two_pages: bool = False,
    letterhead: str | None = None,
) -> list[Image.Image]:
    """Clean (not yet scanned) pages of one filled form, seal in 申报单位意见.

    With ``two_pages`` the form runs over: page 2 carries no title, only the
    rest of the table (经验效果 and the opinion cell) — as long forms do.
    """
    page, draw, y = _page(letterhead)
    annex, title, _, _ = TITLES[kind]
    y = _heading(draw, y, annex, title)
    cur = _Cursor(left=mm(25), right=A4[0] - mm(25), y=y, label_w=mm(38))
    _first_page_rows(draw, cur, kind, name, unit, long_intro=two_pages)
    pages = [page]
    if two_pages:
        page, draw, _ = _page(None)
        cur.y = mm(25)
        pages.append(page)
    _row(draw, cur, "经验效果", EXPERIENCE, min_h=mm(30))
    if kind == "course":
        _row(draw, cur, "是否同意纳入共享", "☑同意  □不同意")
    box = _opinion_row(draw, cur, unit)
    if seal:
        cx = box[2] - mm(45)
        cy = (box[1] + box[3]) // 2 - mm(4)
        pages[-1] = press_seal(pages[-1], unit, (cx, cy), faint=faint_seal)
    return pages


def render_summary_page(unit: str, rows: list[tuple[str, str]], *, seal: bool = True) -> Image.Image:
    """附件5 信息汇总表: a landscape list of every form the unit sends."""
    page = Image.new("RGB", (A4[1], A4[0]), "white")
    draw = ImageDraw.Draw(page)
    draw.text((mm(25), mm(20)), "附件5", font=font(pt(16), bold=True), fill=INK)
    title = "智慧助老优质工作案例、教育培训项目及课程资源信息汇总表"
    head = font(pt(20), bold=True)
    draw.text(((page.width - draw.textlength(title, font=head)) / 2, mm(36)), title, font=head, fill=INK)
    draw.text((mm(25), mm(56)), f"填报单位（盖章）：{unit}", font=font(pt(12)), fill=INK)
    widths = [mm(18), mm(120), mm(30), mm(70), mm(25)]
    header = ["序号", "名称", "类型", "申报单位", "负责人"]
    y = mm(70)
    for r, cells in enumerate([header] + [[str(i + 1), n, k, unit, "张华"] for i, (n, k) in enumerate(rows)]):
        x = mm(25)
        for w, text in zip(widths, cells):
            draw.rectangle([x, y, x + w, y + mm(12)], outline=INK, width=4)
            draw.text((x + mm(2), y + mm(3)), text, font=font(pt(11), bold=(r == 0)), fill=INK)
            x += w
        y += mm(12)
    if seal:
        page = press_seal(page, unit, (mm(60), mm(50)))
    return page


def render_form_page(kind: str, name: str, unit: str, *, seal: bool = True, rotate: int = 0,
                     skew: float = 0.0, jpeg_quality: int | None = None, letterhead: str | None = None,
                     faint_seal: bool = False) -> Image.Image:
    """One scanned single-page form, as the tests and the demo want it."""
    clean = render_form_pages(kind, name, unit, seal=seal, letterhead=letterhead, faint_seal=faint_seal)[0]
    return scanned(clean, rotate=rotate, skew=skew, jpeg_quality=jpeg_quality)


def text_pdf(kind: str, name: str, unit: str, *, seal: bool = False) -> bytes:
    """A PDF exported from Word: real text, no scan; ``seal`` adds an electronic seal image.

    reportlab writes the text with the standard STSong-Light CID font, which
    pdfplumber reads back exactly, so the pipeline can skip OCR for it.
    """
    from reportlab.lib.pagesizes import A4 as A4_PT
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    annex, title, name_label, intro_label = TITLES[kind]
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4_PT)
    width, height = A4_PT
    c.setFont("STSong-Light", 16)
    c.drawString(70, height - 70, annex)
    c.setFont("STSong-Light", 22)
    c.drawCentredString(width / 2, height - 115, title)
    rows = [(name_label, name), ("申报单位", unit), ("负责人", "张华"), ("联系电话", "13857112345"),
            (intro_label, INTRO[:30] + "……"), ("申报单位意见", "情况属实，同意推荐。（盖章）")]
    y = height - 160
    for label, value in rows:
        c.rect(70, y - 40, width - 140, 40)
        c.line(180, y - 40, 180, y)
        c.setFont("STSong-Light", 12)
        c.drawString(78, y - 25, label)
        c.drawString(188, y - 25, value)
        y -= 40
    if seal:
        stamp = seal_mask(unit, mm(42))
        rgba = Image.new("RGBA", stamp.size, SEAL_RED + (0,))
        rgba.putalpha(stamp.point(lambda v: round(v * 0.9)))
        size = 42 / 25.4 * 72
        # centred on the 申报单位意见 row, the last one drawn
        c.drawImage(ImageReader(rgba), width - 70 - size - 20, y + 20 - size / 2, size, size, mask="auto")
    c.showPage()
    c.save()
    return buf.getvalue()


def render_cover_letter(unit: str, names: list[tuple[str, str]], *, seal: bool = True,
                        letterhead: str | None = None) -> Image.Image:
    """A stamped 报送函 (cover letter) on the unit's red letterhead, naming the forms it sends.

    Units often scan this letter with the forms, or in their place. It names
    each form — 现将《…》案例申报表报送给你们, 附件：…申报表 — but is not one:
    it has no table and no field labels. ``names`` are (kind, name) pairs.
    """
    page, draw, y = _page(letterhead or f"{unit}文件")
    body = font(pt(16), serif=True)
    line_h = round(pt(16) * 1.8)
    head = font(pt(22), bold=True)
    title = "关于报送智慧助老优秀案例的函"
    draw.text(((A4[0] - draw.textlength(title, font=head)) / 2, y), title, font=head, fill=INK)
    y += pt(22) + mm(12)
    listed = "、".join(f"《{name}》{TITLES[kind][1]}" for kind, name in names)
    paragraphs = [
        "市社区教育指导中心：",
        f"根据征集通知要求，现将{listed}报送给你们，请予审核。",
        "联系人：张华，联系电话：13857112345。",
    ]
    left, width = mm(28), A4[0] - mm(56)
    for i, text in enumerate(paragraphs):
        lines = _wrap(("" if i == 0 else "　　") + text, body, width)
        for line in lines:
            draw.text((left, y), line, font=body, fill=INK)
            y += line_h
    y += line_h
    for i, (kind, name) in enumerate(names):
        prefix = "附件：" if i == 0 else "　　　"
        for line in _wrap(f"{prefix}{i + 1}.《{name}》{TITLES[kind][1]}", body, width):
            draw.text((left, y), line, font=body, fill=INK)
            y += line_h
    y += line_h * 2
    right = A4[0] - mm(35)
    for text in (unit, "2024年5月20日"):
        draw.text((right - draw.textlength(text, font=body), y), text, font=body, fill=INK)
        y += line_h
    if seal:
        page = press_seal(page, unit, (right - mm(30), y - line_h * 2))
    return page
