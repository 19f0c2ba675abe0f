"""Stamped scans of forms laid out by LibreOffice, not by our own renderer.

The sample renderer (``ingest.samples.scans``) draws the forms the way we
imagine them; a real unit prints the Word form from an office suite, with its
own fonts, line breaks, cell heights and page breaks. So the generated .docx
forms are laid out by ``soffice --headless --convert-to pdf``, rendered at
300 dpi, stamped over the text near 盖章 in 申报单位意见 and scanned (paper
grain, blur, skew, JPEG) — pages whose truth we still know.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ingest.samples.forms import build_case_form, build_course_form, build_project_form
from ingest.samples.paper import DPI, press_seal

BUILDERS = {"case": build_case_form, "project": build_project_form, "course": build_course_form}
CONVERT_TIMEOUT = 180  # seconds for one soffice run over all forms


@dataclass
class LaidOutForm:
    """A form as LibreOffice printed it: its first page and the page holding 申报单位意见 (may be the same)."""

    kind: str
    name: str
    unit: str
    first: Image.Image
    opinion: Image.Image
    opinion_index: int
    seal_centre: tuple[int, int] | None  # where 盖章 is printed on the opinion page, in its pixels


def _convert(docx_files: list[Path], out_dir: Path) -> None:
    """One soffice run for every file, with a profile of its own (other soffice users are left alone)."""
    profile = out_dir / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out_dir), *map(str, docx_files)],
                   check=True, capture_output=True, timeout=CONVERT_TIMEOUT)


def _pages(pdf_path: Path) -> tuple[list[Image.Image], int, tuple[int, int] | None]:
    """Every page at 300 dpi, the index of the page with 申报单位意见, and where its 盖章 is printed."""
    import pdfplumber
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf_path))
    pages = [document[i].render(scale=DPI / 72).to_pil().convert("RGB") for i in range(len(document))]
    document.close()
    opinion, centre = len(pages) - 1, None
    with pdfplumber.open(pdf_path) as pdf:
        for i, page in enumerate(pdf.pages):
            words = page.extract_words()
            if any("意见" in w["text"] for w in words):
                opinion = i
                stamp = next((w for w in words if "盖章" in w["text"]), None)
                if stamp:
                    k = DPI / 72
                    centre = (round((stamp["x0"] + stamp["x1"]) / 2 * k), round((stamp["top"] + stamp["bottom"]) / 2 * k))
    return pages, opinion, centre


def laid_out_forms(specs: list[tuple[str, str, str]]) -> list[LaidOutForm]:
    """(kind, name, unit) forms built as .docx, laid out and printed by LibreOffice."""
    with tempfile.TemporaryDirectory(prefix="intake-lo-") as tmp:
        out = Path(tmp)
        files = []
        for i, (kind, name, unit) in enumerate(specs):
            files.append(out / f"form{i}.docx")
            files[-1].write_bytes(BUILDERS[kind](name=name, unit=unit))
        _convert(files, out)
        forms = []
        for i, (kind, name, unit) in enumerate(specs):
            pages, opinion, centre = _pages(out / f"form{i}.pdf")
            forms.append(LaidOutForm(kind, name, unit, pages[0], pages[opinion], opinion, centre))
        return forms


def stamped(form: LaidOutForm, seed: int = 7) -> Image.Image:
    """The opinion page with the unit's seal pressed over 盖章 and the text round it."""
    centre = form.seal_centre or (round(form.opinion.width * 0.65), round(form.opinion.height * 0.8))
    return press_seal(form.opinion, form.unit, centre, seed=seed)
