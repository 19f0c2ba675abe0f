"""Bombs: what one hostile message costs in memory, against an ordinary submission measured in the same run.

Each bomb is built here and mailed with a unit's Word form, then read by
`intake ingest --json` in a fresh process of its own:

- OFD whose glyph run claims 25 million advances (``DeltaX="g 25000000 1"``)
- OFD with an 8×8 seal picture placed in a 3.5 m box (190 megapixels if drawn)
- zip bomb: 1 GiB of zeros in 1 MB; 7z bomb: 600 MB of zeros in 100 KB
- PNG declaring 50,000 × 50,000 pixels (header and a tiny compressed IDAT)
- 2,000-page PDF (reportlab, a line of text per page)
- MIME nested 2,000 multiparts deep

The peak is measured by a small wrapper process (``--wrap``) that makes
itself the subreaper of everything below it, runs intake, reaps intake, its
fork server and the workers, and reports ``getrusage(RUSAGE_CHILDREN)``:
the largest peak RSS of any one process of the run — intake itself or a
worker reading the bomb. The wrapper is small, so nothing of this script's
own memory is charged to the child. The floor is the same command on an
ordinary message (a Word form and its stamped one-page scan PDF).

An outcome is `defective` with a notice naming the bomb (the file's
fault), or `error` for the coordinator; never a crash (a non-zero exit or
no outcome). Target: every bomb under 400 MB.

Run: .venv/bin/python bench/bombs.py
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INTAKE = [sys.executable, "-c", "from ingest.cli.main import main; main()"]
TARGET_MB = 400
UNIT = "温州市鹿城区五马街道社区教育学校"
NAME = "手把手教您用健康码与线上挂号"
PR_SET_CHILD_SUBREAPER = 36


def wrap(command: list[str]) -> None:
    """Run ``command`` as our child, reap everything it leaves, print its outcome and the peak RSS below us."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)  # orphans come to us
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    while True:  # the fork server outlives intake by a moment; its rusage holds the workers it reaped
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"rc": done.returncode, "rss_mb": round(peak), "stdout": done.stdout,
                      "stderr": done.stderr[-2000:]}, ensure_ascii=False))


# ---------------------------------------------------------------- bombs


def _mail(attachments: list[tuple[str, bytes]], raw_parts: bytes | None = None) -> bytes:
    from datetime import datetime

    from ingest.samples.forms import build_case_form
    from ingest.samples.mails import CST, MailSpec, build_mail

    form = (f"{UNIT}+案例.docx", build_case_form(name=NAME, unit=UNIT))
    return build_mail(MailSpec(subject=f"{UNIT}+智慧助老材料+1个", sender=("五马街道社区教育学校", "wmjd@163.com"),
                               attachments=[form] + attachments, date=datetime(2022, 4, 20, 10, 30, tzinfo=CST),
                               message_id="<bomb-1@163.com>"))


def _png_header_bomb(side: int = 50_000) -> bytes:
    """A PNG that declares side × side pixels; its IDAT is a few compressed rows (the header is what counts)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    idat = zlib.compress((b"\x00" + b"\xff" * side * 3) * 4, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def _long_pdf(pages: int = 2_000) -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for number in range(pages):
        pdf.drawString(72, 760, f"Appendix page {number + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _deep_mime(depth: int = 2_000) -> bytes:
    """A message whose body is a multipart inside a multipart, ``depth`` times."""
    head = (f"From: wmjd@163.com\r\nTo: zhzl@example.org.cn\r\nSubject: {UNIT}+智慧助老材料+1个\r\n"
            "Date: Wed, 20 Apr 2022 10:30:00 +0800\r\nMessage-ID: <bomb-mime@163.com>\r\nMIME-Version: 1.0\r\n")
    opening = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth))
    closing = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(depth)))
    body = "Content-Type: text/plain; charset=utf-8\r\n\r\n附件为我单位材料，请查收。\r\n"
    return (head.encode("utf-8") + opening.encode() + body.encode("utf-8") + closing.encode())


def _zip_bomb() -> bytes:
    sys.path.insert(0, str(ROOT / "bench"))
    from load import zip_bomb  # 1 GiB of zeros in about 1 MB, as bench/load.py sends it

    return zip_bomb()


def _seven_zip_bomb() -> bytes:
    from tests.support.archives import seven_zip

    return seven_zip([("申报材料.docx", bytes(600 * 1024 * 1024))])


def bombs() -> list[tuple[str, str, bytes]]:
    """(label, attachment name or "" for the message itself, raw message) of each bomb."""
    from tests.support.ofd import boundary_bomb, deltax_bomb

    form = ("case", NAME, UNIT)  # the same form as the Word file: only the bomb can be wrong
    out = [("OFD DeltaX g 25000000", f"{UNIT}+案例盖章件.ofd", deltax_bomb(25_000_000, form)),
           ("OFD 8x8 PNG in 3.5 m box", f"{UNIT}+案例盖章件.ofd", boundary_bomb(3_500, form)),
           ("zip 1 GiB zeros", f"{UNIT}+材料.zip", _zip_bomb()),
           ("7z 600 MB zeros", f"{UNIT}+材料.7z", _seven_zip_bomb()),
           ("PNG 50000x50000 header", f"{UNIT}+案例盖章件.png", _png_header_bomb()),
           ("PDF 2000 pages", f"{UNIT}+案例盖章件.pdf", _long_pdf())]
    messages = [(label, name, _mail([(name, data)])) for label, name, data in out]
    return messages + [("MIME 2000 multiparts deep", "", _deep_mime())]


def ordinary() -> bytes:
    from ingest.samples.paper import scanned, to_pdf
    from ingest.samples.scans import render_form_pages

    scan = to_pdf([scanned(page) for page in render_form_pages("case", NAME, UNIT)])
    return _mail([(f"{UNIT}+案例盖章件.pdf", scan)])


# ---------------------------------------------------------------- runs


def _config(base: Path) -> Path:
    """Storage and a campaign open until 2099, as bench/load.py writes them for its floor."""
    sys.path.insert(0, str(ROOT / "bench"))
    from load import config

    return config(base)


def run_one(raw: bytes, base: Path) -> dict:
    """One fresh `intake ingest --json` on one message, through the wrapper: rc, peak RSS, outcome."""
    base.mkdir(parents=True)
    (base / "mail").mkdir()
    (base / "mail" / "1.eml").write_bytes(raw)
    command = INTAKE + ["ingest", str(base / "mail"), "--json", "--config", str(_config(base)),
                        "--outbox", str(base / "outbox")]
    done = subprocess.run([sys.executable, __file__, "--wrap", json.dumps(command)], capture_output=True, text=True,
                          timeout=1800)
    report = json.loads(done.stdout)
    lines = [json.loads(line) for line in report["stdout"].splitlines() if line.startswith("{")]
    report["outcome"] = lines[0] if lines else None
    return report


def verdict(report: dict, name: str) -> str:
    """What became of the bomb: a notice naming it, an error for the coordinator, or a crash."""
    outcome = report["outcome"]
    if report["rc"] != 0 or outcome is None:
        return "CRASHED"
    status = outcome["status"]
    named = [d for d in outcome.get("defects", []) if name and name in (d.get("where") or "") + d.get("message", "")]
    if status == "defective" and named:
        return f"defective: {named[0]['code']} {named[0]['message'][:48]}…"
    codes = ",".join(d["code"] for d in outcome.get("defects", []))
    return f"{status} {codes} {(outcome.get('note') or '')[:60]}".rstrip()


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="intake-bombs-") as tmp:
        floor = run_one(ordinary(), Path(tmp, "floor"))
        rows = []
        for number, (label, name, raw) in enumerate(bombs()):
            report = run_one(raw, Path(tmp, f"bomb{number}"))
            rows.append((label, len(raw), report["rss_mb"], verdict(report, name)))
    print(f"{'bomb':28} {'mail KB':>9} {'peak MB':>8}  outcome")
    print(f"{'(floor: Word form + scan)':28} {'':>9} {floor['rss_mb']:>8}  {verdict(floor, '')}")
    for label, size, rss, outcome in rows:
        print(f"{label:28} {size / 1024:>9.0f} {rss:>8}  {outcome}")
    crashed = sum(outcome == "CRASHED" for *_, outcome in rows)
    over = sum(rss >= TARGET_MB for _, _, rss, _ in rows)
    print(f"max_bomb_rss_mb={max(r[2] for r in rows)} floor_rss_mb={floor['rss_mb']} bombs={len(rows)} "
          f"crashed={crashed} over_{TARGET_MB}_mb={over}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--wrap"]:
        wrap(json.loads(sys.argv[2]))
    else:
        sys.path.insert(0, str(ROOT))
        main()
