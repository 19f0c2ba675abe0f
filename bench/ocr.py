"""Benchmark of the scan pipeline against plain full-page Tesseract.

Renders a mixed set of scanned pages at 300 dpi (three form kinds and the
summary table; stamped and unstamped; turned 90/180/270°; skewed 2–3°; JPEG
noise; red letterheads), then times on the very same PNG files:

- floor: ``tesseract page.png - -l chi_sim``, the common way, one process per
  page with Tesseract's default threading;
- ours: ``read_scan`` page by page in this one process (``s_per_page``), and
  all pages handed to ``read_scans`` at once with a worker per core.

It also scores form-kind accuracy, name accuracy and seal precision/recall,
and ends with one line of key=value pairs. Run: ``python -m bench.ocr [pages]``.
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

from ingest.samples.scans import render_form_pages, render_summary_page, scanned, to_png  # noqa: E402
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


def main(count: int = 20) -> None:
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
    print(f"pages={count} cores={os.cpu_count()}")
    print(f"plain tesseract full page: {floor:.2f} s/page")
    print(f"this pipeline, one process: {ours:.2f} s/page ({ours / floor:.2f}x)")
    print(f"this pipeline, {os.cpu_count()} workers: {ours_parallel:.2f} s/page ({ours_parallel / floor:.2f}x)")
    print(
        f"s_per_page={ours:.2f} floor_s_per_page={floor:.2f} ratio_vs_floor={ours / floor:.2f} "
        f"parallel_s_per_page={ours_parallel:.2f} ratio_parallel={ours_parallel / floor:.2f} "
        f"kind_acc={kind_ok / count:.2f} name_acc={name_ok / max(1, len(named)):.2f} "
        f"seal_precision={tp / max(1, tp + fp):.2f} seal_recall={tp / max(1, tp + fn):.2f}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
