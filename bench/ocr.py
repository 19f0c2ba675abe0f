"""Benchmark of the scan pipeline against plain full-page Tesseract.

Renders a mixed set of scanned pages at 300 dpi (three form kinds and the
summary table; stamped and unstamped; turned 90/180/270°; skewed 2–3°; JPEG
noise; red letterheads), then times on the very same PNG files:

- floor: ``tesseract page.png - -l chi_sim``, the common way, one process per
  page with Tesseract's default threading;
- ours: ``read_scan`` page by page in this one process (``s_per_page``), and
  all pages handed to ``read_scans`` at once with a worker per core.

It also scores form-kind accuracy, name accuracy and seal precision/recall,
then the same per family of pages our renderer did not draw as they are
(``families``): forms laid out by LibreOffice from the generated .docx,
printed, stamped over the text and scanned; phone photos of the sheet on a
desk; grey and black-and-white scans; 150-dpi JPEGs at low quality. It ends
with one line of key=value pairs. Run: ``python bench/ocr.py [pages] [per_family]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

USER_OMP = os.environ.get("OMP_THREAD_LIMIT")  # before parsers.ocr pins it for its own calls

from tests.support.office_scans import laid_out_forms, stamped  # noqa: E402
from tests.support.photos import black_and_white_scan, grey_scan, low_dpi_jpeg, phone_photo  # noqa: E402
from ingest.samples.paper import scanned, to_jpeg, to_png  # noqa: E402
from ingest.samples.scans import render_form_pages, render_summary_page  # noqa: E402
from parsers.scan import read_scan, read_scans  # noqa: E402

UNITS = ["杭州市西湖区老年大学", "宁波市海曙区社区学院", "温州市鹿城区五马街道社区教育学校", "嘉兴市平湖市老年开放大学"]
NAMES = {
    "case": ["银龄数字课堂：社区老年人智能手机应用培训", "老年大学数字助老志愿服务行动", "“一老一小”共学智能技术案例"],
    "project": ["乐龄学堂老年人防范电信诈骗专题培训", "智慧出行：老年人网约车与地图导航培训", "社区健康码与线上就医实训项目"],
    "course": ["手把手教您用健康码与线上挂号", "老年人智能手机摄影入门", "移动支付安全十讲"],
}
ROTATIONS = [0, 180, 90, 0, 270, 0]
SKEWS = [0.0, 2.5, -2.0, 3.0, 0.0, -2.5]


@dataclass
class Case:
    kind: str
    name: str | None
    seal: bool
    png: bytes


def build(count: int) -> list[Case]:
    """A deterministic mix; every eighth page is the landscape summary table."""
    cases = []
    kinds = ["case", "project", "course"]
    for i in range(count):
        unit = UNITS[i % len(UNITS)]
        seal = i % 3 != 2
        rotate, skew = ROTATIONS[i % len(ROTATIONS)], SKEWS[(i // 2) % len(SKEWS)]
        jpeg = 55 + (i * 7) % 30 if i % 2 else None
        if i % 8 == 7:
            page = render_summary_page(unit, [(NAMES["case"][0], "案例"), (NAMES["course"][1], "课程资源")], seal=seal)
            cases.append(Case("summary", None, seal, to_png(scanned(page, rotate=rotate, skew=skew, jpeg_quality=jpeg))))
            continue
        kind = kinds[i % 3]
        name = NAMES[kind][(i // 3) % 3]
        letterhead = "浙江省老年教育指导中心" if i % 5 == 4 and not seal else None
        clean = render_form_pages(kind, name, unit, seal=seal, letterhead=letterhead)[0]
        img = scanned(clean, rotate=rotate, skew=skew, jpeg_quality=jpeg, seed=i)
        cases.append(Case(kind, name, seal, to_png(img)))
    return cases


@dataclass
class FamilyCase:
    """One page of a family: what it truly is, and the file it arrives as."""

    kind: str | None  # None: a page that continues a form (scored for its seal only)
    name: str | None
    seal: bool
    filename: str
    data: bytes


def _specs(count: int) -> list[tuple[str, str, str, bool]]:
    kinds = ["case", "project", "course"]
    return [(kinds[i % 3], NAMES[kinds[i % 3]][(i // 3) % 3], UNITS[i % len(UNITS)], i % 3 != 1) for i in range(count)]


def _libreoffice(count: int) -> list[FamilyCase]:
    """Forms laid out by LibreOffice, printed, stamped over the text near 盖章, scanned crooked."""
    specs = _specs(count)
    cases = []
    for i, (form, (_, _, _, seal)) in enumerate(zip(laid_out_forms([s[:3] for s in specs]), specs)):
        opinion = stamped(form, seed=i) if seal else form.opinion
        first = opinion if form.opinion_index == 0 else form.first
        skew = (1.5, -2.0, 0.8)[i % 3]
        cases.append(FamilyCase(form.kind, form.name, seal and form.opinion_index == 0, f"lo{i}.jpg",
                                to_jpeg(scanned(first, skew=skew, seed=i), 70)))
        if form.opinion_index:
            cases.append(FamilyCase(None, None, seal, f"lo{i}-{form.opinion_index + 1}.jpg",
                                    to_jpeg(scanned(opinion, skew=skew, seed=i), 70)))
    return cases


def _drawn(count: int, make) -> list[FamilyCase]:
    """Pages of our renderer, turned into a family's files by ``make(page, i) -> (filename, data)``."""
    cases = []
    for i, (kind, name, unit, seal) in enumerate(_specs(count)):
        clean = render_form_pages(kind, name, unit, seal=seal)[0]
        cases.append(FamilyCase(kind, name, seal, *make(clean, i)))
    return cases


def families(per_family: int) -> dict[str, list[FamilyCase]]:
    return {
        "libreoffice": _libreoffice(per_family),
        "phone_photo": _drawn(per_family, lambda p, i: (f"photo{i}.jpg", to_jpeg(phone_photo(p, seed=i), 82))),
        "grey": _drawn(per_family, lambda p, i: (
            f"grey{i}.png", to_png(black_and_white_scan(p, seed=i) if i % 2 else grey_scan(p, skew=1.2, seed=i)))),
        "jpeg150": _drawn(per_family, lambda p, i: (f"scan{i}.jpg", low_dpi_jpeg(p, quality=30 + 5 * (i % 3), seed=i))),
    }


def score_family(cases: list[FamilyCase]) -> dict[str, float]:
    """Kind, name and seal accuracy of one family, and its seconds per page."""
    start = time.perf_counter()
    pages = [read_scan(c.filename, c.data, workers=1).pages[0] for c in cases]
    seconds = (time.perf_counter() - start) / len(cases)
    titled = [(p, c) for p, c in zip(pages, cases) if c.kind]
    for p, c in zip(pages, cases):
        if (c.kind and (p.form_kind, p.name) != (c.kind, c.name)) or p.seal.found != c.seal:
            print(f"  {c.filename}: expected {c.kind}/{c.name}/seal={c.seal}, "
                  f"read {p.form_kind}/{p.name}/seal={p.seal.found}({p.seal.confidence})")
    return {
        "kind_acc": sum(p.form_kind == c.kind for p, c in titled) / max(1, len(titled)),
        "name_acc": sum(p.name == c.name for p, c in titled) / max(1, len(titled)),
        "seal_acc": sum(p.seal.found == c.seal for p, c in zip(pages, cases)) / len(cases),
        "s_per_page": seconds,
        "pages": len(cases),
    }


def floor_seconds(paths: list[Path]) -> float:
    """Plain full-page Tesseract per page, with the user's own threading settings."""
    env = dict(os.environ)
    env.pop("OMP_THREAD_LIMIT", None)
    if USER_OMP:
        env["OMP_THREAD_LIMIT"] = USER_OMP
    start = time.perf_counter()
    for path in paths:
        subprocess.run(["tesseract", str(path), "-", "-l", "chi_sim"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) / len(paths)


def main(count: int = 20, per_family: int = 6) -> None:
    print(f"rendering {count} scanned pages at 300 dpi ...", flush=True)
    cases = build(count)
    files = [(f"page{i:02d}.png", c.png) for i, c in enumerate(cases)]

    start = time.perf_counter()
    pages = [read_scan(name, data, workers=1).pages[0] for name, data in files]
    ours = (time.perf_counter() - start) / count

    start = time.perf_counter()
    parallel = read_scans(files, workers=os.cpu_count())
    ours_parallel = (time.perf_counter() - start) / count
    assert [r.pages[0].form_kind for r in parallel] == [p.form_kind for p in pages]

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, data in files:
            paths.append(Path(tmp) / name)
            paths[-1].write_bytes(data)
        floor = floor_seconds(paths)

    kind_ok = sum(p.form_kind == c.kind for p, c in zip(pages, cases))
    named = [(p, c) for p, c in zip(pages, cases) if c.name]
    name_ok = sum(p.name == c.name for p, c in named)
    tp = sum(p.seal.found and c.seal for p, c in zip(pages, cases))
    fp = sum(p.seal.found and not c.seal for p, c in zip(pages, cases))
    fn = sum(not p.seal.found and c.seal for p, c in zip(pages, cases))
    for i, (p, c) in enumerate(zip(pages, cases)):
        if p.form_kind != c.kind or p.seal.found != c.seal or (c.name and p.name != c.name):
            print(f"  page {i}: expected {c.kind}/{c.name}/seal={c.seal}, "
                  f"read {p.form_kind}/{p.name}/seal={p.seal.found}({p.seal.confidence})")
    print(f"building the page families ({per_family} forms each) ...", flush=True)
    scores = {family: score_family(cases) for family, cases in families(per_family).items()}

    print(f"pages={count} cores={os.cpu_count()}")
    print(f"plain tesseract full page: {floor:.2f} s/page")
    print(f"this pipeline, one process: {ours:.2f} s/page ({ours / floor:.2f}x)")
    print(f"this pipeline, {os.cpu_count()} workers: {ours_parallel:.2f} s/page ({ours_parallel / floor:.2f}x)")
    for family, score in scores.items():
        print(f"{family}: {score['pages']} pages, kind {score['kind_acc']:.2f}, name {score['name_acc']:.2f}, "
              f"seal {score['seal_acc']:.2f}, {score['s_per_page']:.2f} s/page")
    print(
        f"s_per_page={ours:.2f} floor_s_per_page={floor:.2f} ratio_vs_floor={ours / floor:.2f} "
        f"parallel_s_per_page={ours_parallel:.2f} ratio_parallel={ours_parallel / floor:.2f} "
        f"kind_acc={kind_ok / count:.2f} name_acc={name_ok / max(1, len(named)):.2f} "
        f"seal_precision={tp / max(1, tp + fp):.2f} seal_recall={tp / max(1, tp + fn):.2f} "
        + " ".join(f"{family}_{key}={value:.2f}" for family, score in scores.items()
                   for key, value in score.items() if key != "pages")
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
