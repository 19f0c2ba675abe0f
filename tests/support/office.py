"""Forms as a real office suite writes them: LibreOffice saves the generated .docx at test time.

Units' files come from Word, WPS and LibreOffice, not from python-docx. These
builders run Debian's LibreOffice (cold, one soffice per batch, independent of
the warm converter under test) to save generated forms as .odt, .doc (Word 97),
.wps (what WPS 文字 saves: a Word 97 file named .wps), .rtf, and back to .docx.
Tables survive only through .odt: LibreOffice 7.4 writing .doc straight from a
python-docx file runs the table together (see parsers/doc_text.py), which
`direct=True` reproduces on purpose.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

# Target format -> (LibreOffice filter spec, extension LibreOffice writes, extension we name it).
FORMATS = {
    "odt": ("odt", "odt", "odt"),
    "doc": ("doc:MS Word 97", "doc", "doc"),
    "wps": ("doc:MS Word 97", "doc", "wps"),
    "rtf": ("rtf", "rtf", "rtf"),
    "docx": ("docx:MS Word 2007 XML", "docx", "docx"),
    "xls": ("xls:MS Excel 97", "xls", "xls"),
    "et": ("xls:MS Excel 97", "xls", "et"),
}


def have_libreoffice() -> bool:
    return shutil.which("soffice") is not None


def office_save(files: dict[str, bytes], target: str, direct: bool = False) -> dict[str, bytes]:
    """Save every `files` entry (name -> .docx/.xlsx bytes) in `target` format, in one batch.

    Word documents go through .odt first (as a unit's LibreOffice/WPS round trip
    would), unless `direct` asks for the lossy straight conversion.
    """
    with tempfile.TemporaryDirectory(prefix="intake-office-sample-") as tmp:
        root = Path(tmp)
        sources = []
        for name, data in files.items():
            path = root / "in" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            sources.append(path)
        words = [p for p in sources if p.suffix == ".docx"]
        if words and target not in ("odt", "xls", "et") and not direct:
            _soffice(root, "odt", words, root / "odt")
            sources = [root / "odt" / (p.stem + ".odt") if p in words else p for p in sources]
        spec, written, named = FORMATS[target]
        _soffice(root, spec, sources, root / "out")
        return {Path(name).stem + "." + named: (root / "out" / (Path(name).stem + "." + written)).read_bytes()
                for name in files}


def office_encrypt(data: bytes, suffix: str, filter_name: str, password: str = "123456") -> bytes:
    """`data` (a file of type `suffix`) saved by LibreOffice under `filter_name` with an opening password.

    The soffice command line cannot set a password, so this goes through a
    LibreOffice server of its own (not the process's shared converter).
    """
    from parsers.office_server import OfficeServer

    server = OfficeServer()
    try:
        with tempfile.TemporaryDirectory(prefix="intake-office-sample-") as tmp:
            source, target = Path(tmp, "in" + suffix), Path(tmp, "out.bin")
            source.write_bytes(data)
            server.convert(source, target, filter_name, 120, password=password)
            return target.read_bytes()
    finally:
        server.close(remove_profile=True)


def _soffice(root: Path, spec: str, sources: list[Path], outdir: Path) -> None:
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(root / 'profile').as_uri()}", "--headless", "--norestore",
         "--convert-to", spec, "--outdir", str(outdir), *map(str, sources)],
        check=True, capture_output=True, timeout=300,
    )
